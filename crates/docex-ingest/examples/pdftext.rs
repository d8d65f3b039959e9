//! Development aid: prints the text layer docex reads from each PDF given, pages
//! separated by form feeds (`docex text` does this through the whole pipeline).
use docex_ingest::{open_document, Limits, PageInput};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let pages = match open_document(&bytes, &Limits::default()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        for page in pages {
            match page {
                Ok(PageInput::Text { text, .. }) => print!("{text}\u{c}"),
                Ok(PageInput::Image { .. }) => print!("\u{c}"),
                Err(e) => eprintln!("{path}: {e}"),
            }
        }
    }
}
