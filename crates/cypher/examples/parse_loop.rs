//! Parse one query many times (for profiling): `parse_loop N 'QUERY'`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let q = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "MATCH (n:Person {id: $id}) RETURN n".into());
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(relgraph_cypher::parse(std::hint::black_box(&q)).is_ok());
    }
    println!(
        "{:.2} us/parse",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
