fn main() -> std::process::ExitCode {
    marginalia::cli::main()
}
