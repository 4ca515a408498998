//! The `tadqiq` binary: everything lives in the library; see [`tadqiq::cli`].

fn main() -> std::process::ExitCode {
    tadqiq::cli::main()
}
