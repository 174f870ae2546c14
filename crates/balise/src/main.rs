//! The `balise` binary: every command-line entry point of the product.

mod commands;

fn main() {}
