//! Any bytes into the stdio transport of a running server (the service built as the server
//! builds it, the transport it serves with): framing, JSON-RPC decoding and whatever the
//! messages reach. It must stop at the end of the input without panicking or hanging; a panic
//! the server would catch and answer with `InternalError` counts too (libFuzzer's panic hook
//! aborts first), since it is a bug all the same.
#![no_main]

mod common;

use common::Prefix;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte says how far a session is set up before the rest: a valid `initialize`,
    // `initialized` and `didOpen` let the rest reach the handlers without spelling them.
    let Some((&setup, rest)) = data.split_first() else {
        return;
    };
    if common::names_workspace_folders(rest) {
        return;
    }
    let prefix = match setup % 3 {
        0 => Prefix::None,
        1 => Prefix::Initialized,
        _ => Prefix::Opened,
    };
    let mut input = common::prefix(prefix, setup & 0x80 != 0);
    input.extend_from_slice(rest);
    common::serve(input);
});
