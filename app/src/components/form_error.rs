use leptos::prelude::*;

/// The message a person should read when a server function refused their input.
pub fn error_text(err: &ServerFnError) -> String {
    match err {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

/// Shows the last error of a form's action, if it failed.
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, ServerFnError>>>,
) -> impl IntoView {
    move || {
        result.get().and_then(|result| result.err()).map(|err| {
            view! {
                <p class="form-error" role="alert" data-testid="form-error">
                    {error_text(&err)}
                </p>
            }
        })
    }
}
