//! The health's waits and budgets, on tokio's paused clock.

use super::*;
use crate::fetch::Stage;

fn refused() -> BookError {
    BookError::transient(Stage::Resolve, "4/1/418/418-0.txt: tcp connect error: Connection refused (os error 111)")
}

#[test]
fn probes_back_off_up_to_a_cap() {
    let delays: Vec<u128> = (0..7).map(|n| probe_delay(n).as_millis()).collect();
    assert_eq!(delays, [250, 500, 1000, 2000, 4000, 5000, 5000]);
    assert_eq!(cause_of("x: dns error: Name or service not known"), "Name or service not known");
    assert_eq!(cause_of("connecting timed out"), "connecting timed out");
}

#[tokio::test(start_paused = true)]
async fn a_mirror_that_never_answers_stops_the_run_within_the_start_budget() {
    let health = Health::new("127.0.0.1:1".into(), Budgets::new(Duration::from_secs(600)));
    let started = Instant::now();
    let scout = health.admit().await.unwrap();
    let mut probes = 0;
    let stop = loop {
        match health.wait_out(&refused(), Instant::now()).await {
            Ok(_) => probes += 1,
            Err(stop) => break stop,
        }
    };
    assert_eq!(stop.kind, StopKind::Unreachable);
    assert_eq!(stop.reason, "cannot reach the mirror 127.0.0.1:1: Connection refused (os error 111)");
    assert_eq!(stop.exit_code(), ExitCode::Fatal);
    assert_eq!(started.elapsed(), START_BUDGET, "the last probe is made at the deadline");
    assert_eq!(probes, 9, "0.25 + 0.5 + 1 + 2 + 4 + 3 × 5 s, then a last one at 25 s");
    drop(scout);
    assert!(health.admit().await.is_err(), "no book starts after the stop");
}

#[tokio::test(start_paused = true)]
async fn a_first_attempt_that_timed_out_spends_the_start_budget() {
    let health = Health::new("10.0.0.1:21".into(), Budgets::new(Duration::from_secs(600)));
    let started = Instant::now();
    let _scout = health.admit().await.unwrap();
    // A connect time-out as long as the budget: no probe follows it.
    tokio::time::advance(START_BUDGET).await;
    let timed_out = BookError::transient(Stage::Resolve, "connecting: connection timed out");
    let stop = health.wait_out(&timed_out, Instant::now()).await.unwrap_err();
    assert_eq!(stop.kind, StopKind::Unreachable);
    assert_eq!(started.elapsed(), START_BUDGET);
}

#[tokio::test(start_paused = true)]
async fn only_one_book_goes_ahead_until_the_mirror_answers() {
    let health = Health::new("h:21".into(), Budgets::new(Duration::from_secs(60)));
    let scout = health.admit().await.unwrap();
    let second = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.admit().await.map(|_| ()) }
    });
    tokio::task::yield_now().await;
    assert!(!second.is_finished(), "waits for the scout's answer");
    health.answered();
    second.await.unwrap().unwrap();
    drop(scout);
}

#[tokio::test(start_paused = true)]
async fn an_outage_holds_new_books_and_ends_at_the_first_answer_or_the_budget() {
    let health = Health::new("h:80".into(), Budgets::new(Duration::from_secs(20)));
    health.answered();
    let asked = Instant::now();
    // The first failure probes after a backoff; a second book's waits for the probe's answer.
    assert_eq!(health.wait_out(&refused(), asked).await, Ok(Waited::Out));
    let waiting = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.wait_out(&refused(), asked).await }
    });
    let starting = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.admit().await.map(|_| ()) }
    });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished() && !starting.is_finished());
    health.answered();
    assert_eq!(waiting.await.unwrap(), Ok(Waited::Out));
    starting.await.unwrap().unwrap();

    let asked = Instant::now();
    tokio::time::advance(Duration::from_millis(1)).await;
    let stop = loop {
        if let Err(stop) = health.wait_out(&refused(), asked).await {
            break stop;
        }
    };
    assert_eq!(stop.kind, StopKind::OutageTooLong);
    assert_eq!(stop.exit_code(), ExitCode::BooksFailed);
    assert!(stop.reason.contains("has not answered for 20 s"), "{}", stop.reason);
}

#[tokio::test(start_paused = true)]
async fn a_failure_older_than_the_last_answer_is_the_books_own() {
    let health = Health::new("h:80".into(), Budgets::new(Duration::from_secs(20)));
    let asked = Instant::now();
    tokio::time::advance(Duration::from_millis(1)).await;
    health.answered();
    assert_eq!(health.wait_out(&refused(), asked).await, Ok(Waited::Not));
    assert!(health.lock().outage.is_none(), "no outage began");
}
