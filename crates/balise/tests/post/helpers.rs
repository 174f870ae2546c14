//! Running the real binary with a text on standard input or in a file.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `balise` with `args` in the given locale, feeding `stdin` bytes.
pub fn balise_bytes(args: &[&str], stdin: &[u8], lang: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_balise"));
    command
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("BALISE_LANG", lang)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `balise post check --network NETWORK [extra…]` with `text` on standard input, in French.
pub fn check(network: &str, text: &str, extra: &[&str]) -> Output {
    let mut args = vec!["post", "check", "--network", network];
    args.extend_from_slice(extra);
    balise_bytes(&args, text.as_bytes(), "fr")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts the exit code and the exact JSON line printed.
pub fn assert_output(output: &Output, code: i32, json: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    assert_eq!(stdout(output), format!("{json}\n"));
}
