//! Log output on stderr: the library's `tracing` warnings show by default,
//! `-q` hides them, `-vv` adds the debug lines, `RUST_LOG` overrides the
//! flags. The case: `demo` (the whole flow in process, no account) with
//! the crash seam given a value it ignores, which `push` warns about.

use csp_consolidate::push::crash::CRASH_ENV;

/// `demo` with a bogus crash spec, in a fresh folder; (exit code, stderr).
fn demo(flags: &[&str], rust_log: Option<&str>) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = assert_cmd::Command::cargo_bin("csp-consolidate").expect("binary");
    cmd.args(flags)
        .arg("demo")
        .arg("--out")
        .arg(dir.path().join("demo"))
        .env(CRASH_ENV, "bogus")
        .env_remove("RUST_LOG")
        .timeout(std::time::Duration::from_secs(120));
    if let Some(value) = rust_log {
        cmd.env("RUST_LOG", value);
    }
    let out = cmd.output().expect("run binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn warned(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.contains("WARN") && l.contains(&format!("{CRASH_ENV}=\"bogus\"")))
}

#[test]
fn warnings_show_by_default_and_quiet_hides_them() {
    let (code, stderr) = demo(&[], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(warned(&stderr), "no warning on stderr:\n{stderr}");
    assert!(!stderr.contains("DEBUG"), "{stderr}");

    let (code, stderr) = demo(&["-q"], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.trim().is_empty(),
        "-q should print nothing:\n{stderr}"
    );
}

#[test]
fn verbose_adds_debug_lines_and_rust_log_overrides_the_flags() {
    let (code, stderr) = demo(&["-vv"], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("DEBUG") && l.contains("partner center call")),
        "no debug line for the API calls:\n{stderr}"
    );
    assert!(warned(&stderr), "{stderr}");

    let (code, stderr) = demo(&["-vv"], Some("off"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.trim().is_empty(),
        "RUST_LOG=off should win:\n{stderr}"
    );
}
