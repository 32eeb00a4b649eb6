#[path = "../benches/corpus.rs"]
mod corpus;
use marginalia::document::Document;
use std::time::Instant;
#[test]
#[ignore]
fn completion_phases() {
    let book = corpus::book(10 << 20);
    let document = Document::new(&book);
    let analysis = document.analysis();
    let rope = document.text();
    let uri = tower_lsp::lsp_types::Url::parse("file:///b.txt").unwrap();
    let markers: Vec<usize> = analysis
        .markers
        .iter()
        .step_by(97)
        .map(|m| m.range.start + 3)
        .collect();
    for _ in 0..200 {
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        for &offset in &markers {
            let t = Instant::now();
            let found =
                marginalia::features::completion::completions(analysis, rope, offset, false);
            a += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let items = marginalia::lsp::to_proto::completions(
                rope,
                &uri,
                3,
                found,
                marginalia::lsp::position::Encoding::Utf16,
            );
            b += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let v = serde_json::to_value(&items).unwrap();
            let bytes = serde_json::to_vec(&v).unwrap();
            std::hint::black_box(bytes);
            c += t.elapsed().as_secs_f64();
        }
        let n = markers.len() as f64;
        eprintln!(
            "features {:.3} ms to_proto {:.3} ms json {:.3} ms ({} samples)",
            a / n * 1e3,
            b / n * 1e3,
            c / n * 1e3,
            markers.len()
        );
    }
}
