//! Mounts the app; everything else lives in the library so tests can reach it.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // index.html's loading frame goes in the same task as the app comes, so no frame is blank.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot-shell") {
        boot.remove();
    }
    leptos::mount::mount_to_body(tierbook::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Tierbook runs in the browser: `make serve` builds and serves it.");
}
