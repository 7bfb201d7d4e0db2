//! Issue 18, "a purchase that is never made": a customer with a cart line
//! and an order line; push dies after journalling the checkout and before
//! sending the order; the next push cannot settle the checkout (every
//! write answered 503), so the customer is blocked. The order line was
//! never sent: it must stay to be bought, not be frozen "in doubt", and
//! the next push without faults buys both lines exactly once.

use super::*;

#[test]
fn a_row_never_sent_is_bought_once_its_blocked_customer_settles() {
    // Customer 1: a Business Basic row (cart + checkout) and a legacy E1
    // row (an order), as in the issue.
    let mine: Vec<Row> = rows().into_iter().filter(|r| r.customer == 1).collect();
    assert!(mine.iter().any(Row::legacy) && mine.iter().any(|r| !r.legacy()));
    let book_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_book(book_dir.path(), &book_of(&mine));
    let emu = start_emu(world(), "");
    let case = Case::new(book_dir.path(), &emu);

    // Intent 1 is the cart, intent 2 the checkout: killed before sending it.
    let first = case.run(Verb::Push, Some("intent:2"));
    assert!(killed(&first), "push must die at the checkout intent");
    assert!(
        destination_subs(&emu.handle.state_snapshot()).is_empty(),
        "nothing was bought before the crash"
    );

    // Every write fails: the checkout stays unsettled, the customer blocked.
    emu.handle
        .set_faults(Faults::parse("5xx=1,only=writes").unwrap_or_else(|e| panic!("{e}")));
    let blocked = case.run(Verb::Push, None);
    let stdout = String::from_utf8_lossy(&blocked.stdout);
    assert_ne!(blocked.status.code(), Some(0), "blocked run: {stdout}");
    assert!(
        destination_subs(&emu.handle.state_snapshot()).is_empty(),
        "nothing bought while every write fails"
    );

    // The service answers again: the checkout settles and the order,
    // never sent so far, is sent now.
    emu.handle.set_faults(Faults::default());
    case.complete(Verb::Push, "push after the faults cleared");
    assert_bought(&emu, &mine, "blocked customer settled");
}
