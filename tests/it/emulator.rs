//! The emulator over real loopback HTTP, spoken to with raw reqwest the
//! way a Partner Center client would (the library's `api` client is
//! tested elsewhere). Every server binds 127.0.0.1:0.

mod faults;
mod reads;
mod realism;
mod service_faults;
mod writes;

use std::time::Duration;

use csp_consolidate::emulator::{self, EmulatorHandle, Faults, World, seed};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::support::bin::command;
use crate::support::emu::{example, start};

const C1: &str = "8e1c0a55-0000-4000-8000-00000000c001"; // Contoso Lab
const NO_REL: &str = "8e1c0a55-0000-4000-8000-00000000c00c"; // Blue Yonder Airlines
const BASIC: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
const LEGACY_E3: &str = "796B6B5F-613C-4E24-A17C-EBA730D49C02";

/// A bearer-token session against one tenant.
struct Api {
    base: String,
    http: Client,
    token: String,
}

async fn login(h: &EmulatorHandle, tenant: &str) -> Api {
    let http = Client::builder().no_proxy().build().unwrap();
    let base = h.base_url();
    let resp = http
        .post(format!("{base}/{tenant}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &format!("{tenant}-app")),
            ("client_secret", &format!("{tenant}-secret")),
            ("resource", "https://api.partnercenter.microsoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["expires_in"].is_string(),
        "v1 numbers are strings: {body}"
    );
    Api {
        base,
        http,
        token: body["access_token"].as_str().unwrap().to_owned(),
    }
}

impl Api {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        rid: Option<&str>,
    ) -> reqwest::Result<(StatusCode, reqwest::header::HeaderMap, Value)> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(r) = rid {
            req = req.header("MS-RequestId", r);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        Ok((
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        ))
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.call(Method::GET, path, None, None).await.unwrap();
        (s, b)
    }
    async fn post(&self, path: &str, body: Value, rid: Option<&str>) -> (StatusCode, Value) {
        let (s, _, b) = self
            .call(Method::POST, path, Some(body), rid)
            .await
            .unwrap();
        (s, b)
    }
    async fn patch(
        &self,
        path: &str,
        body: Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.call(Method::PATCH, path, Some(body), None)
            .await
            .unwrap()
    }
}

fn order_body(offer: &str, qty: i64) -> Value {
    json!({"referenceCustomerId": C1, "billingCycle": "monthly",
           "lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": qty}]})
}

fn subs_of(world: &World, tenant: &str, customer: &str) -> Vec<emulator::state::Subscription> {
    let t = world.tenants.iter().find(|t| t.name == tenant).unwrap();
    t.customers
        .iter()
        .find(|c| c.id == customer)
        .unwrap()
        .subscriptions
        .clone()
}

fn sub_id(world: &World, customer: &str, created: &str) -> String {
    // The example seed's Contoso Lab: Basic bought 3 days ago, E3 45 days ago.
    let subs = subs_of(world, "source", customer);
    let s = subs
        .iter()
        .find(|s| s.friendly_name == created || s.offer_name == created)
        .unwrap();
    s.id.clone()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn token_is_required_and_checked() {
    let h = start(example(), |c| c.token_ttl_secs = 1).await;
    let http = Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{}/v1/customers", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["source"], "PartnerFD");
    let bad = http
        .post(format!("{}/destination/oauth2/token", h.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "destination-app"),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let refresh = http
        .post(format!(
            "{}/contoso-emea.onmicrosoft.com/oauth2/token",
            h.base_url()
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "source-app"),
            ("refresh_token", "source-refresh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), 200, "alias + refresh-token grant");
    let api = login(&h, "destination").await;
    assert_eq!(api.get("/v1/customers").await.0, 200);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        api.get("/v1/customers").await.0,
        401,
        "an expired token is refused"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = start(example(), |c| c.state_path = Some(path.clone())).await;
    let api = login(&h, "destination").await;
    let rid = "0f000000-0000-4000-8000-0000000000e5";
    let order_path = format!("/v1/customers/{C1}/orders");
    let (s, first) = api
        .post(&order_path, order_body(LEGACY_E3, 9), Some(rid))
        .await;
    assert_eq!(s, 201);
    h.shutdown().await.unwrap();
    let world = emulator::load_world(None, Some(&path)).unwrap();
    assert!(
        subs_of(&world, "destination", C1)
            .iter()
            .any(|s| s.quantity == 9 && s.offer_id == LEGACY_E3)
    );
    let again = start(world, |c| c.state_path = Some(path.clone())).await;
    let api = login(&again, "destination").await;
    let (s, replayed) = api
        .post(&order_path, order_body(LEGACY_E3, 9), Some(rid))
        .await;
    assert_eq!(
        (s, &replayed),
        (StatusCode::CREATED, &first),
        "replay store persisted"
    );
    let n = subs_of(&again.state_snapshot(), "destination", C1)
        .iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .count();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn cli_prints_address_first_and_saves_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("rehearsal.json");
    let mut child = command()
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "fixtures/emulator/seed.json",
            "--state",
        ])
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let http = Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!("{base}/source/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "source-app"),
            ("client_secret", "source-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let saved = emulator::load_world(None, Some(&state)).unwrap();
    assert_eq!(saved.tenants.len(), 2);
}

#[test]
fn cli_rejects_a_bad_seed_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"tenants\": [\n {\"name\": \"x\", \"partnerId\": 7}]}",
    )
    .unwrap();
    let out = command()
        .args(["emulator", "--seed"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json: line 2"), "{err}");
    assert!(err.contains("tenants[0].partnerId"), "{err}");
    let faults = command()
        .args(["emulator", "--faults", "drop=2"])
        .output()
        .unwrap();
    assert_eq!(faults.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&faults.stderr).contains("drop=2"));
}
