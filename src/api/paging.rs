//! Collections, seek paging and link resolution.
//!
//! Partner Center pages by "seek": a page's `links.next` carries a relative
//! `uri` and the headers (`MS-ContinuationToken`) to send with it; no `next`
//! means the last page. Link URIs are relative and may or may not start with
//! `/v1` (a client that blindly prefixed `/v1` broke, PowerShell #379), so
//! [`resolve_link`] resolves them against the API root and never lets a link
//! send our token to another host.

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::lenient::opt_int;
use super::types::{Attributes, KeyValue};

/// A link: `{uri, method, headers:[{key,value}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub headers: Vec<KeyValue>,
}

/// `links{self, next, previous}` of a collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    #[serde(rename = "self", default)]
    pub self_: Option<Link>,
    #[serde(default)]
    pub next: Option<Link>,
    #[serde(default)]
    pub previous: Option<Link>,
}

/// A collection as sent on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    /// In seek collections: the size of this page, not a grand total.
    #[serde(default, deserialize_with = "opt_int")]
    pub total_count: Option<i64>,
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub links: Option<Links>,
    #[serde(default)]
    pub continuation_token: Option<String>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

/// One page of a seek-paged listing. Pass it to `Client::next_page` for
/// the following page, or to `Client::all_pages` to drain the listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The link to the next page; `None` on the last page.
    pub next: Option<Link>,
    /// The body's `continuationToken` (also in `next.headers`).
    pub continuation_token: Option<String>,
}

impl<T> From<Collection<T>> for Page<T> {
    fn from(c: Collection<T>) -> Self {
        Page {
            items: c.items,
            next: c.links.and_then(|l| l.next),
            continuation_token: c.continuation_token,
        }
    }
}

impl<T> Page<T> {
    /// True when there is no further page.
    pub fn is_last(&self) -> bool {
        self.next.is_none()
    }
}

/// Resolve a link `uri` against the API root (`https://host[/prefix]`,
/// without `/v1`): `/v1/customers?x`, `v1/customers?x`, `/customers?x` and
/// `customers?x` all give `{root}/v1/customers?x`. An absolute URL is
/// accepted only on the API's own scheme, host and port.
///
/// # Errors
/// [`ApiError::Paging`] for an empty link or one to another origin.
pub fn resolve_link(api_root: &Url, uri: &str) -> Result<Url, ApiError> {
    let uri = uri.trim();
    let fail = |message: String| ApiError::Paging {
        op: "follow link".to_owned(),
        message,
    };
    if uri.is_empty() {
        return Err(fail("empty link".to_owned()));
    }
    if let Ok(abs) = Url::parse(uri) {
        let same = abs.scheme() == api_root.scheme()
            && abs.host_str() == api_root.host_str()
            && abs.port_or_known_default() == api_root.port_or_known_default();
        if !same {
            return Err(fail(format!(
                "link {uri:?} points outside {}; not following it",
                api_root.origin().ascii_serialization()
            )));
        }
        return Ok(abs);
    }
    let rel = uri.trim_start_matches('/');
    let rel = strip_prefix_ci(rel, "v1/").unwrap_or(rel);
    let root = api_root.as_str().trim_end_matches('/');
    Url::parse(&format!("{root}/v1/{rel}")).map_err(|e| fail(format!("link {uri:?}: {e}")))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(s: &str) -> Result<Url, Box<dyn std::error::Error>> {
        Ok(Url::parse(s)?)
    }

    #[test]
    fn links_resolve_against_host_root() -> crate::TestResult {
        let r = root("https://host/")?;
        let want = "https://host/v1/customers?size=500&seekOperation=Next";
        for uri in [
            "/v1/customers?size=500&seekOperation=Next",
            "v1/customers?size=500&seekOperation=Next",
            "customers?size=500&seekOperation=Next",
            "/customers?size=500&seekOperation=Next",
            "/V1/customers?size=500&seekOperation=Next",
        ] {
            assert_eq!(resolve_link(&r, uri)?.as_str(), want, "{uri}");
        }
        Ok(())
    }

    #[test]
    fn links_keep_a_root_prefix_and_port() -> crate::TestResult {
        let r = root("http://127.0.0.1:8080/pc")?;
        assert_eq!(
            resolve_link(&r, "/v1/customers/c1/subscriptions/s1")?.as_str(),
            "http://127.0.0.1:8080/pc/v1/customers/c1/subscriptions/s1"
        );
        Ok(())
    }

    #[test]
    fn absolute_links_only_to_same_origin() -> crate::TestResult {
        let r = root("https://host/")?;
        assert!(resolve_link(&r, "https://host/v1/customers?a=1").is_ok());
        for bad in [
            "https://evil.example/v1/x",
            "http://host/v1/x",
            "https://host:444/v1/x",
            "",
        ] {
            assert!(resolve_link(&r, bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn collection_decodes_seek_page() -> crate::TestResult {
        let json = r#"{"totalCount":"2","items":[1,2],"continuationToken":"tok-2",
          "links":{"self":{"uri":"/v1/customers?size=2","method":"GET","headers":[]},
          "next":{"uri":"/v1/customers?size=2&seekOperation=Next","method":"GET",
          "headers":[{"key":"MS-ContinuationToken","value":"tok-2"}]}},
          "attributes":{"objectType":"Collection"}}"#;
        let c: Collection<i32> = serde_json::from_str(json)?;
        assert_eq!(c.total_count, Some(2));
        let p = Page::from(c);
        assert_eq!(p.items, vec![1, 2]);
        let next = p.next.as_ref().ok_or("no value")?;
        assert_eq!(next.headers[0].value.as_deref(), Some("tok-2"));
        assert!(!p.is_last());
        let last: Collection<i32> = serde_json::from_str(r#"{"items":[]}"#)?;
        assert!(Page::from(last).is_last());
        Ok(())
    }
}
