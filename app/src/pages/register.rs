use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::auth::Register;
use crate::components::form_error::FormError;

#[component]
pub fn RegisterPage() -> impl IntoView {
    // Made inside the page so that, without JavaScript, it finds its error in the URL.
    let register = ServerAction::<Register>::new();
    view! {
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <ActionForm action=register attr:class="stack" attr:data-testid="register-form">
                <label>
                    "Username"
                    <input
                        name="username"
                        autocomplete="username"
                        required
                        minlength="3"
                        maxlength="32"
                        pattern="[A-Za-z0-9_.\\-]+"
                        title="3 to 32 letters, digits, '_', '.' or '-'"
                    />
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        required
                        minlength="8"
                    />
                    <small class="muted">"At least 8 characters."</small>
                </label>
                <fieldset class="choice">
                    <legend>"I am"</legend>
                    <label>
                        <input type="radio" name="role" value="jobseeker" checked/>
                        " looking for work"
                    </label>
                    <label>
                        <input type="radio" name="role" value="employer"/>
                        " hiring"
                    </label>
                </fieldset>
                <FormError result=Signal::derive(move || register.value().get())/>
                <button type="submit" class="button primary">"Sign up"</button>
            </ActionForm>
            <p class="muted">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
