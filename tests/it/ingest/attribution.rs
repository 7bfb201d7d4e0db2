//! Which customer a file belongs to: tenant column, file name, domain,
//! company name or folder, and the issues when none or several match.

use super::*;
use crate::support::workbook::write_file;

#[test]
fn attribution_by_tenant_file_domain_company_and_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let customers = write_file(dir.path(), "lists/Customers.csv", CUSTOMERS);
    let plain = |id: &str| format!("Subscription ID,Subscription,Quantity\n{id},Office 365 E3,5\n");
    write_file(
        dir.path(),
        &format!("in/export {}.csv", guid(5)),
        plain("h1"),
    );
    write_file(dir.path(), "in/fabrikam.com.csv", plain("h2"));
    write_file(
        dir.path(),
        "in/contoso-ltd_subscriptions_2024-05-01.csv",
        plain("h3"),
    );
    write_file(dir.path(), "in/Northwind Traders/export.csv", plain("h4"));
    write_file(dir.path(), "in/twin co.csv", plain("h5"));
    write_file(
        dir.path(),
        "in/mystery.csv",
        format!("{}h7,X,1\n", plain("h6")),
    );
    write_file(
        dir.path(),
        "in/mixed.csv",
        "Subscription ID,Subscription,Quantity,Customer name\nh8,A,1,FABRIKAM\nh9,A,1,Nobody Inc\nh10,A,1,Nobody Inc\n",
    );
    let mut spec = exports(&[&dir.path().join("in")]);
    spec.customers = Some(customers);
    let inputs = read(&spec);
    let tenant = |id: &str| sub(&inputs, id).customer_tenant_id.clone();
    assert_eq!(tenant("h1"), Some(guid(5)));
    assert_eq!(tenant("h2"), Some(guid(2)));
    assert_eq!(tenant("h3"), Some(guid(1)));
    assert_eq!(tenant("h4"), Some(guid(5)));
    assert_eq!(tenant("h5"), None);
    assert_eq!(tenant("h6"), None);
    assert_eq!(tenant("h7"), None);
    assert_eq!(tenant("h8"), Some(guid(2)));
    assert_eq!(tenant("h9"), None);
    let texts = issue_texts(&inputs);
    let mystery: Vec<_> = texts.iter().filter(|t| t.contains("mystery.csv")).collect();
    assert_eq!(mystery.len(), 1, "one issue for the file: {texts:?}");
    assert!(
        mystery[0].contains("these 2 subscription(s)"),
        "{mystery:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("twin co.csv") && t.contains("fits 2 customers")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("mixed.csv: line 3") && t.contains("\"Nobody Inc\" (2 rows)")),
        "{texts:?}"
    );
    // Folder walk names keep the folder as typed.
    assert!(
        sub(&inputs, "h4")
            .source
            .to_string()
            .contains("Northwind Traders/export.csv: line 2")
    );
    assert_eq!(inputs.customers.len(), 5);
    assert_eq!(
        inputs
            .files
            .iter()
            .filter(|f| f.kind == "customers")
            .count(),
        1
    );
}
