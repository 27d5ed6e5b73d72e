//! Mounts the app; everything else lives in the library so tests can reach it.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    tierbook::files::register_service_worker();
    leptos::mount::mount_to_body(tierbook::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Tierbook runs in the browser: `make serve` builds and serves it.");
}
