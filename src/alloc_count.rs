//! A counting allocator for finding where memory goes (feature `alloc-count`, wasm only; never
//! in a normal build): it wraps the system allocator and, at every `files::mark`, logs the live
//! bytes, the highest live figure since the mark before, the wasm memory size and the live
//! bytes by allocation size, as `MEM <mark> live=… peak=… heap=… <=16:…MB/…k …`. Build with
//! `trunk build --release --features alloc-count --dist <dir>` and run a bench with
//! `BENCH_LOG=1` to see the lines (BENCHMARKS.md, "Issue 14, eighth step").

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Bytes allocated and not freed; the highest figure since the last report.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Upper bounds of the size classes (bytes).
const CLASSES: [usize; 9] = [16, 32, 64, 128, 256, 1024, 4096, 65536, usize::MAX];
/// Live bytes and live allocations per size class.
static BY_CLASS: [AtomicUsize; 9] = [const { AtomicUsize::new(0) }; 9];
static COUNT: [AtomicUsize; 9] = [const { AtomicUsize::new(0) }; 9];
fn class(size: usize) -> usize {
    CLASSES.iter().position(|&c| size <= c).unwrap_or(8)
}

/// The system allocator, counted.
struct Counting;
fn grew(by: usize) {
    let n = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(n, Relaxed);
}

fn add(size: usize) {
    BY_CLASS[class(size)].fetch_add(size, Relaxed);
    COUNT[class(size)].fetch_add(1, Relaxed);
}

fn sub(size: usize) {
    BY_CLASS[class(size)].fetch_sub(size, Relaxed);
    COUNT[class(size)].fetch_sub(1, Relaxed);
}

// SAFETY: every call is passed to `System` unchanged; only counters are updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grew(l.size());
            add(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
        sub(l.size());
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            sub(l.size());
            add(new);
            if new > l.size() {
                grew(new - l.size());
            } else {
                LIVE.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Logs the figures at a mark, and starts a new peak from here.
pub fn report(name: &str) {
    let mb = |b: usize| b / (1 << 20);
    let live = LIVE.load(Relaxed);
    let peak = PEAK.swap(live, Relaxed);
    let pages = core::arch::wasm32::memory_size(0) * 65536;
    let classes: Vec<String> = (0..9)
        .map(|i| format!("<={}:{}MB/{}k", CLASSES[i], mb(BY_CLASS[i].load(Relaxed)), COUNT[i].load(Relaxed) / 1000))
        .collect();
    leptos::logging::log!("MEM {name} live={} peak={} heap={} {}", mb(live), mb(peak), mb(pages), classes.join(" "));
}
