//! Any text a socket sends: parsing never panics, and a frame that parses means what it says
//! (it serializes and parses back to itself).
#![no_main]

use app::protocol::ClientFrame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(frame) = serde_json::from_str::<ClientFrame>(text) {
        let again = serde_json::to_string(&frame).expect("a frame serializes");
        let back: ClientFrame = serde_json::from_str(&again).expect("a frame parses back");
        assert_eq!(back, frame);
    }
});
