//! The worker pool survives hanging and dying workers. The workers here are
//! small shell scripts that speak the worker protocol.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use relgraph_tck::pool::{run_pool, PoolConfig};
use relgraph_tck::runner::Outcome;

#[test]
fn hangs_become_timeouts_and_deaths_become_crashes() {
    if !std::path::Path::new("/bin/sh").exists() {
        eprintln!("skipping: no /bin/sh");
        return;
    }
    // Scenario 1 hangs, scenario 2 kills its worker, the rest pass.
    let script = r#"while read i; do
        if [ "$i" = 1 ]; then sleep 30; fi
        if [ "$i" = 2 ]; then echo "worker died on 2" >&2; exit 3; fi
        echo "@@tck-result {\"index\":$i,\"outcome\":\"Pass\",\"millis\":0}"
    done"#;
    let cfg = PoolConfig {
        exe: PathBuf::from("/bin/sh"),
        args: vec!["-c".into(), script.into()],
        jobs: 2,
        timeout: Duration::from_millis(1500),
    };
    let mut got = BTreeMap::new();
    run_pool(&cfg, &[0, 1, 2, 3, 4, 5], |i, o, _| {
        assert!(got.insert(i, o).is_none(), "scenario {i} reported twice");
    })
    .unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(got[&1], Outcome::Timeout);
    assert!(
        matches!(&got[&2], Outcome::Crash { message } if message.contains("worker died on 2")),
        "{:?}",
        got[&2]
    );
    for i in [0, 3, 4, 5] {
        assert_eq!(got[&i], Outcome::Pass, "scenario {i}");
    }
}
