//! Chaos: push, then retire, under every fault the emulator knows (429s
//! and 5xx on first tries and replays alike, dropped answers, late
//! commits, 202 PATCHes, latency, read-after-write lag), killed with
//! SIGKILL again and again — from outside at random moments, and by the
//! crash seam at random journal points — then re-run until a run ends
//! clean. The emulator's whole state must then show every approved row
//! bought exactly once and every source retired exactly once, the right
//! way. Seeded (the seed is printed) and bounded: at least 50 killed runs,
//! a deadline for the whole test.

use std::time::Instant;

use super::*;

/// Every fault key on.
fn all_faults(seed: u64) -> String {
    format!(
        "429=0.04,5xx=0.04,drop=0.04,late=0.04,latedelay=150ms,patch202=0.3,patchdelay=150ms,\
         latency=15ms,lag=150ms,retryafter=1,seed={seed}"
    )
}

/// Killed runs wanted in all; rounds (a fresh emulator and journal each)
/// are added until there are this many.
const KILLS_WANTED: u32 = 54;
const MAX_ROUNDS: u64 = 12;
/// Kills per phase and round at most (the work of one round is small).
const KILLS_PER_PHASE: u32 = 6;
/// The whole test stops being patient after this.
const DEADLINE: Duration = Duration::from_secs(150);

/// Kill `verb` while it still has work: alternately from outside after a
/// random delay and by the crash seam at a random journal point, until
/// [`KILLS_PER_PHASE`] kills or a run that finishes first. Returns the
/// kills.
fn kill_repeatedly(case: &Case, verb: Verb, rng: &mut fastrand::Rng, started: Instant) -> u32 {
    let mut kills = 0;
    for attempt in 0..KILLS_PER_PHASE * 2 {
        assert!(started.elapsed() < DEADLINE, "chaos ran out of time");
        let status = if attempt % 2 == 0 {
            let mut child = spawn(case, verb);
            std::thread::sleep(Duration::from_millis(rng.u64(30..500)));
            let _ = child.kill(); // SIGKILL; may have finished already
            child.wait().unwrap_or_else(|e| panic!("{e}"))
        } else {
            let point = Point::ALL[rng.usize(..Point::ALL.len())];
            let spec = format!("{}:{}", point.as_str(), rng.u32(1..10));
            case.run(verb, Some(&spec)).status
        };
        if status.signal() == Some(9) {
            kills += 1;
        } else if status.code() == Some(0) || kills == KILLS_PER_PHASE {
            break;
        }
    }
    kills
}

/// Re-run `verb` (faults still on) until one run ends clean.
fn run_until_clean(case: &Case, verb: Verb, context: &str, started: Instant) {
    for _ in 0..30 {
        assert!(
            started.elapsed() < DEADLINE,
            "{context}: chaos ran out of time"
        );
        let out = case.run(verb, None);
        if out.status.code() == Some(0) {
            return;
        }
        assert_eq!(
            out.status.code(),
            Some(1),
            "{context}: {} failed hard: {}",
            verb.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    panic!("{context}: {} never ended clean", verb.name());
}

#[test]
fn push_then_retire_end_exactly_once_under_every_fault_and_random_kills() {
    let started = Instant::now();
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let book_dir = workbook_dir();
    let mut total = 0;
    for round in 0..MAX_ROUNDS {
        if total >= KILLS_WANTED {
            break;
        }
        let faults = all_faults(rng.u64(..));
        let emu = start_emu(world(), &faults);
        let case = Case::new(book_dir.path(), &emu);
        let context = format!("seed {seed}, round {round} ({faults})");
        let push_kills = kill_repeatedly(&case, Verb::Push, &mut rng, started);
        run_until_clean(&case, Verb::Push, &context, started);
        assert_bought_once(&emu, &context);
        let retire_kills = kill_repeatedly(&case, Verb::Retire, &mut rng, started);
        run_until_clean(&case, Verb::Retire, &context, started);
        assert_retired_once(&emu, &context);
        let c = emu.handle.counters();
        eprintln!(
            "chaos {context}: {push_kills} push and {retire_kills} retire kills by {:?}; \
             (tenant, 429, 5xx, dropped, late, 202, replays, 409) {:?}",
            started.elapsed(),
            c.tenants
                .iter()
                .map(|(t, c)| (
                    t.clone(),
                    c.injected_429,
                    c.injected_5xx,
                    c.dropped,
                    c.late_commits,
                    c.accepted_202,
                    c.replays,
                    c.in_flight_conflicts
                ))
                .collect::<Vec<_>>()
        );
        total += push_kills + retire_kills;
    }
    eprintln!("chaos: {total} killed runs in {:?}", started.elapsed());
    assert!(total >= 50, "seed {seed}: only {total} killed runs");
}
