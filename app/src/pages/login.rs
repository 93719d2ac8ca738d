use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::auth::Login;
use crate::components::form_error::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    // Made inside the page so that, without JavaScript, it finds its error in the URL.
    let login = ServerAction::<Login>::new();
    let next = move || use_query_map().read().get("next").unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=login attr:class="stack" attr:data-testid="login-form">
                <input type="hidden" name="next" value=next/>
                <label>
                    "Username"
                    <input name="username" autocomplete="username" required/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <FormError result=Signal::derive(move || login.value().get())/>
                <button type="submit" class="button primary">"Sign in"</button>
            </ActionForm>
            <p class="muted">"New here? " <a href="/register">"Create an account"</a></p>
        </section>
    }
}
