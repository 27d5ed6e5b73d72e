//! Mounts the app; everything else lives in the library so tests can reach it.

// Talc instead of Rust's default dlmalloc: faster at the millions of small allocations of an
// import, and smaller.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
