//! The `tadqiq` binary: everything lives in the library; see [`tadqiq::cli`].

/// Parsing a corpus of YAML files is allocation-bound (a fifth of `agree`'s time went to the
/// system allocator); mimalloc's thread-local free lists halve that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tadqiq::cli::main()
}
