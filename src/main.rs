//! The `tadqiq` binary: parse the command line and run a command.

fn main() {}
