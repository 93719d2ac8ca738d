//! `/api/openapi.json`: the OpenAPI document of the HTTP API, generated from the handlers' own
//! annotations and the types they answer with, so it cannot drift from what they do. The
//! WebSocket protocol is not HTTP and is described in `docs/protocol.md` instead.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald",
        description = "A job board's real-time notifications: the HTTP API. Browsers sign in \
                       and hold a session cookie; services publish with an API token \
                       (`herald create-token`) as a bearer token."
    ),
    paths(
        super::auth::register,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::notifications::list,
        super::notifications::create,
        super::notifications::create_bulk,
        super::notifications::mark_read,
        super::notifications::mark_all_read,
        super::notifications::mark_group_read,
        super::notifications::archive,
        super::notifications::unarchive,
        super::global_notifications::list_live,
        super::global_notifications::create,
        super::global_notifications::update,
        super::global_notifications::show,
        super::health::healthz,
        super::health::readyz,
        super::metrics::metrics,
    ),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// How callers prove who they are: the session cookie of a signed-in browser, an API token, or
/// the metrics token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                app::ssr::session::COOKIE_NAME,
            ))),
        );
        for name in ["token", "metrics_token"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route_of_the_json_api() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let paths = document["paths"].as_object().unwrap();
        for path in [
            "/api/auth/register/",
            "/api/auth/login/",
            "/api/auth/logout/",
            "/api/auth/me/",
            "/api/notifications/",
            "/api/notifications/{id}/mark-read/",
            "/api/notifications/mark-all-read/",
            "/api/notifications/bulk/",
            "/api/global-notifications/",
            "/api/global-notifications/{id}/",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(paths.contains_key(path), "{path} is missing");
        }
        assert!(document["components"]["schemas"]["Notification"].is_object());
    }

    #[test]
    fn the_document_names_an_announcements_audience_and_reach() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &document["components"]["schemas"];
        assert!(schemas["GlobalAudience"].is_object(), "{schemas}");
        assert!(schemas["Reach"].is_object(), "{schemas}");
        let create = &schemas["NewGlobalNotification"]["properties"];
        assert!(create["audience"].is_object(), "{create}");
        let show = &document["paths"]["/api/global-notifications/{id}/"];
        assert!(show["get"].is_object(), "{show}");
    }

    #[test]
    fn publishing_lists_every_answer_a_publisher_can_get() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let answers = &document["paths"]["/api/notifications/"]["post"]["responses"];
        for status in ["201", "400", "401", "403", "415", "422", "429"] {
            assert!(
                answers[status].is_object(),
                "{status} is missing: {answers}"
            );
        }
    }
}
