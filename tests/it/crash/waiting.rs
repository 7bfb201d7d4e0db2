//! Issue 11's retire rule: a row whose destination copy is not confirmed
//! active yet is never skipped silently. Push has bought every copy, but
//! the destination does not show them yet (read-after-write lag): retire
//! changes nothing, reports every row as waiting with why, and exits 1; a
//! later run, once the copies show, retires each source exactly once and
//! counts what the service confirmed.

use super::*;

#[test]
fn retire_reports_rows_whose_copy_does_not_show_yet_and_retires_them_later() {
    let book_dir = workbook_dir();
    let emu = start_emu(world(), "lag=4s");
    let case = Case::new(book_dir.path(), &emu);
    case.complete(Verb::Push, "push");
    let shown_at = std::time::Instant::now() + Duration::from_secs(4);

    let early = case.run(Verb::Retire, None);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&early.stdout),
        String::from_utf8_lossy(&early.stderr),
    );
    assert_eq!(early.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        update_records(&emu.handle.state_snapshot(), "source").is_empty(),
        "nothing retired before its copy shows"
    );
    for r in rows() {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&r.sub_id))
            .unwrap_or_else(|| panic!("{} not reported:\n{stderr}", r.sub_id));
        assert!(
            line.contains("waiting for the destination copy") && line.contains("not visible yet"),
            "{line}"
        );
    }
    assert!(
        stdout.contains("0 changed at the source this run")
            && stdout.contains(&format!(
                "waiting for the destination copy {}",
                rows().len()
            )),
        "{stdout}"
    );

    std::thread::sleep(shown_at.saturating_duration_since(std::time::Instant::now()));
    let later = case.run(Verb::Retire, None);
    let stdout = String::from_utf8_lossy(&later.stdout);
    assert_eq!(later.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{} changed at the source this run", rows().len())),
        "{stdout}"
    );
    assert_retired_once(&emu, "retired once the copies show");
}
