//! How state objects look on the wire: the documented resource shapes
//! (`attributes{objectType, etag}`, `links`, collections), plus the
//! PascalCase JSON strings audit records carry, and case-insensitive
//! reading of request bodies (the docs' examples are PascalCase).

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::state::{Cart, Customer, Order, Subscription};

/// A Link `{uri, method, headers}`.
pub fn link(uri: &str) -> Value {
    json!({"uri": uri, "method": "GET", "headers": []})
}

/// A non-seek collection.
pub fn collection(items: Vec<Value>, self_uri: &str) -> Value {
    json!({
        "totalCount": items.len(),
        "items": items,
        "links": {"self": link(self_uri)},
        "attributes": {"objectType": "Collection"},
    })
}

fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

pub fn customer(c: &Customer, detailed: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "commerceId": c.id,
        "companyProfile": {"tenantId": c.id, "domain": c.domain, "companyName": c.company_name},
        "relationshipToPartner": c.relationship,
        "allowDelegatedAccess": c.allow_delegated_access,
        "customDomains": [],
        "links": {"self": link(&format!("/v1/customers/{}", c.id))},
        "attributes": {"etag": "1", "objectType": "Customer"},
    });
    if detailed && let Some(obj) = v.as_object_mut() {
        obj.insert(
            "billingProfile".into(),
            json!({"companyName": c.company_name,
                   "defaultAddress": {"country": c.country.as_deref().unwrap_or("US")},
                   "attributes": {"objectType": "CustomerBillingProfile"}}),
        );
    }
    v
}

pub fn subscription(s: &Subscription, customer_id: &str) -> Value {
    let mut map = to_object(s);
    map.remove("etag");
    map.remove("visibleFrom");
    let nce = s.is_new_commerce();
    let product = if nce {
        "OnlineServicesNCE"
    } else {
        "OnlineServices"
    };
    map.insert(
        "productType".into(),
        json!({"id": product, "displayName": product}),
    );
    map.insert("entitlementId".into(), json!(s.id));
    map.insert("contractType".into(), json!("subscription"));
    map.insert(
        "renewalTermDuration".into(),
        json!(s.term_duration.clone().unwrap_or_default()),
    );
    map.insert(
        "links".into(),
        json!({"self": link(&format!("/v1/customers/{customer_id}/subscriptions/{}", s.id))}),
    );
    map.insert(
        "attributes".into(),
        json!({"etag": s.etag.to_string(), "objectType": "Subscription"}),
    );
    Value::Object(map)
}

pub fn order(o: &Order) -> Value {
    let mut map = to_object(o);
    map.remove("visibleFrom");
    map.remove("provisionedAt");
    if let Some(Value::Array(lines)) = map.get_mut("lineItems") {
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            line.remove("pendingSubscriptionId");
        }
    }
    let base = format!("/v1/customers/{}/orders/{}", o.reference_customer_id, o.id);
    map.insert("currencySymbol".into(), json!("$"));
    map.insert(
        "links".into(),
        json!({"self": link(&base), "provisioningStatus": link(&format!("{base}/provisioningstatus"))}),
    );
    map.insert("attributes".into(), json!({"objectType": "Order"}));
    Value::Object(map)
}

pub fn cart(c: &Cart) -> Value {
    let mut map = to_object(c);
    map.insert("attributes".into(), json!({"objectType": "Cart"}));
    Value::Object(map)
}

/// The PascalCase JSON text of a resource, as audit records carry it.
pub fn pascal_json(value: &Value) -> String {
    pascal(value).to_string()
}

/// A resource with PascalCase member names (the `pascalpatch` quirk).
pub fn pascal_value(value: &Value) -> Value {
    pascal(value)
}

fn pascal(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (upper_first(k), pascal(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pascal).collect()),
        other => other.clone(),
    }
}

fn upper_first(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A field of a request body, matched case-insensitively.
pub fn field<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

pub fn field_str<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    field(body, name).and_then(Value::as_str)
}

/// An integer field; accepts `12` and `"12"`.
pub fn field_i64(body: &Value, name: &str) -> Option<i64> {
    match field(body, name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_and_fields() {
        let v = json!({"id": "a", "quantity": 3, "nested": [{"offerId": "x"}]});
        assert_eq!(
            pascal_json(&v),
            r#"{"Id":"a","Nested":[{"OfferId":"x"}],"Quantity":3}"#
        );
        let body = json!({"Quantity": "7", "AutoRenewEnabled": false});
        assert_eq!(field_i64(&body, "quantity"), Some(7));
        assert_eq!(field(&body, "autorenewenabled"), Some(&json!(false)));
    }
}
