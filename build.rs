//! The page's wasm (the `tierbook-web` binary, not the spreadsheet worker) keeps its
//! relocations: scripts/split_wasm.mjs cuts the lazily loaded pages (`#[lazy]` in src/app.rs)
//! out of it after the build, and wasm-split-cli needs them.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=tierbook-web=--emit-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
