//! A realistic, reproducible operator data set: individuals with contact media, a customer
//! engaging each, and a billing account each, loaded in bulk (`crm-server seed`). The same
//! seed gives the same data, so benchmark figures can be compared between runs.

use crm_store::bulk::{self, BulkRow};
use crm_store::inherited::Holders;
use crm_store::{ResourceKind, Store, StoreError};
use serde_json::{Value, json};
use sid_model::{Customer, Individual};

use crate::resources::Kinds;

const GIVEN: [&str; 24] = [
    "José", "María", "Zoë", "Émile", "Łukasz", "Søren", "Ana", "John", "Aisha", "Chen", "Fatima",
    "Oliver", "Mia", "Noah", "Léa", "Jürgen", "Ingrid", "Mateo", "Sofia", "Yuki", "Amara", "Björn",
    "Chloé", "Dmitri",
];
const FAMILY: [&str; 24] = [
    "García",
    "Müller",
    "Smith",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Dubois",
    "Jensen",
    "O'Brien",
    "Silva",
    "Kim",
    "Novák",
    "Papadopoulos",
    "Yılmaz",
    "Hansen",
    "López",
    "Schmidt",
    "Martin",
    "Brown",
    "Wilson",
    "Ødegaard",
    "Fernández",
    "Ivanova",
    "Mbeki",
];
const SUFFIX: [&str; 16] = [
    "", "son", "berg", "ez", "ini", "ova", "ski", "er", "ton", "ley", "mann", "ard", "eau", "ic",
    "en", "as",
];

/// SplitMix64: small, fast and reproducible; enough to spread names.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let index = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items[index]
    }
}

fn id(seed: u64, kind: u8, n: u64) -> String {
    format!("{:08x}-{kind:04x}-7000-8000-{n:012x}", seed & 0xffff_ffff)
}

fn dedup(mut keys: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    keys.sort();
    keys.dedup();
    keys
}

/// Loads `parties` individuals, each with a customer and a billing account, in batches.
/// Calls `progress` with the number loaded after each batch.
pub async fn seed(
    store: &Store,
    parties: u64,
    seed: u64,
    batch: u64,
    mut progress: impl FnMut(u64),
) -> Result<(), StoreError> {
    let kinds = Kinds::load().map_err(|e| StoreError::Config(e.to_string()))?;
    let mut random = Random(seed);
    let invalid = |e: serde_json::Error| StoreError::Config(format!("seed data invalid: {e}"));
    let mut start = 0;
    while start < parties {
        let end = (start + batch.max(1)).min(parties);
        let (mut individuals, mut customers, mut accounts) = (Vec::new(), Vec::new(), Vec::new());
        for n in start..end {
            let given = random.pick(&GIVEN);
            let family = format!("{}{}", random.pick(&FAMILY), random.pick(&SUFFIX));
            let party_id = id(seed, 1, n);
            let email = format!(
                "{}.{}{n}@example.net",
                crate::search::fold(given).replace(' ', ""),
                crate::search::fold(&family).replace(['\'', ' '], "")
            );
            let phone = format!("+447{:09}", 100_000_000 + n);
            let individual = json!({
                "id": party_id, "@type": "Individual",
                "givenName": given, "familyName": family, "status": "validated",
                "contactMedium": [
                    {"mediumType": "phone", "preferred": true, "characteristic": {"phoneNumber": phone}},
                    {"mediumType": "email", "characteristic": {"emailAddress": email}}
                ]
            });
            let model: Individual = serde_json::from_value(individual.clone()).map_err(invalid)?;
            individuals.push(BulkRow {
                id: party_id.clone(),
                kind: "Individual",
                keys: dedup(kinds.individual.index_keys(&model, &individual)),
                references: Vec::new(),
                body: individual,
            });

            let customer_id = id(seed, 2, n);
            let status = ["active", "active", "active", "inactive", "validated"]
                [usize::try_from(random.next() % 5).unwrap_or(0)];
            let customer = json!({
                "id": customer_id, "@type": "Customer",
                "name": format!("{given} {family}"), "status": status,
                "engagedParty": {"id": party_id, "@referredType": "Individual"}
            });
            let model: Customer = serde_json::from_value(customer.clone()).map_err(invalid)?;
            customers.push(BulkRow {
                id: customer_id.clone(),
                kind: "Customer",
                keys: dedup(kinds.customer.index_keys(&model, &customer)),
                references: vec![("engagedParty".into(), "party", party_id.clone())],
                body: customer,
            });

            let account_id = id(seed, 3, n);
            let receivable = Value::from((random.next() % 20_000) as f64 / 100.0);
            accounts.push(BulkRow {
                id: account_id.clone(),
                kind: "BillingAccount",
                keys: Vec::new(),
                references: vec![("relatedParty[0]".into(), "customer", customer_id.clone())],
                body: json!({
                    "id": account_id, "@type": "BillingAccount",
                    "name": format!("Account of {given} {family}"), "state": "Active",
                    "relatedParty": [{"id": customer_id, "name": format!("{given} {family}"),
                        "role": "owner", "@referredType": "Customer"}],
                    "accountBalance": [{"balanceType": "receivable",
                        "amount": {"unit": "EUR", "value": receivable},
                        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}],
                    "creditLimit": {"unit": "EUR", "value": 500}
                }),
            });
        }
        bulk::insert(store, "party", &individuals).await?;
        bulk::insert(store, "customer", &customers).await?;
        let (first, last) = (id(seed, 2, start), id(seed, 2, end - 1));
        crate::search::CUSTOMER_KEYS
            .derive(store.connection(), Holders::Range(&first, &last))
            .await
            .map_err(|e| StoreError::Migration(format!("customer keys: {}", e.message)))?;
        bulk::insert(store, "account", &accounts).await?;
        start = end;
        progress(end);
    }
    Ok(())
}
