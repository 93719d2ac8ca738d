use leptos::prelude::*;

use crate::error::AppError;

/// The message a person should read when a server function refused their input or failed.
pub fn error_text(err: &AppError) -> String {
    err.to_string()
}

/// Shows the last error of a form's action, if it failed.
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, AppError>>>,
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
