//! References to stored resources through the real router, on every reference-bearing
//! attribute of every served collection: a reference by `id` alone (no `href`, and no
//! `@referredType` either where the attribute allows it) is accepted and completed from
//! its stored target; an `href` that names another resource is a 422 naming the attribute,
//! and nothing is stored; a reference to a missing id is a 422 REFERENCE_NOT_FOUND.
//!
//! Attributes found by experiment NOT to be checked (kept as given, external references):
//! see `unchecked_references_are_kept_as_given` at the end.

use axum::http::StatusCode;
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp, TestResponse, item};
use serde_json::{Value, json};

const MERGE: &str = "application/merge-patch+json";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const PARTY_ACCOUNT: &str = "/tmf-api/accountManagement/v4/partyAccount";
const SETTLEMENT_ACCOUNT: &str = "/tmf-api/accountManagement/v4/settlementAccount";
const FINANCIAL_ACCOUNT: &str = "/tmf-api/accountManagement/v4/financialAccount";
const CYCLE: &str = "/tmf-api/accountManagement/v4/billingCycleSpecification";
const FORMAT: &str = "/tmf-api/accountManagement/v4/billFormat";
const MEDIA: &str = "/tmf-api/accountManagement/v4/billPresentationMedia";
const INTERACTION: &str = "/tmf-api/partyInteraction/v4/partyInteraction";
const CATALOG: &str = "/tmf-api/productCatalogManagement/v4/catalog";
const CATEGORY: &str = "/tmf-api/productCatalogManagement/v4/category";
const SPECIFICATION: &str = "/tmf-api/productCatalogManagement/v4/productSpecification";
const OFFERING: &str = "/tmf-api/productCatalogManagement/v4/productOffering";
const PRICE: &str = "/tmf-api/productCatalogManagement/v4/productOfferingPrice";
const ORDER: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
const PRODUCT: &str = "/tmf-api/productInventory/v4/product";
const TICKET: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const ELSEWHERE: &str = "https://elsewhere.example/x/other-id";
const MISSING: &str = "no-such-id";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Posts `body` to `path` and returns the new id.
async fn create(app: &TestApp, path: &str, body: Value) -> String {
    let response = app.post(path, &body).await;
    response.assert_status(StatusCode::CREATED, &format!("fixture {path}"));
    response.id()
}

/// One stored resource a reference points at.
#[derive(Clone)]
struct Target {
    /// Its collection path.
    path: &'static str,
    /// Its type, as the completed `@referredType`.
    referred_type: &'static str,
    id: String,
}

/// The stored resources references point at.
struct Targets {
    individual: Target,
    organization: Target,
    child_organization: Target,
    customer: Target,
    party_role: Target,
    billing_account: Target,
    financial_account: Target,
    cycle: Target,
    format: Target,
    media: Target,
    category: Target,
    specification: Target,
    price: Target,
    offering: Target,
    product: Target,
    order: Target,
    interaction: Target,
    ticket: Target,
}

fn target(path: &'static str, referred_type: &'static str, id: String) -> Target {
    Target {
        path,
        referred_type,
        id,
    }
}

async fn targets(app: &TestApp) -> Targets {
    let individual = app.individual("Tar", "Get").await;
    let organization = create(app, ORGANIZATION, json!({"tradingName": "Parent Org"})).await;
    let child_organization = create(app, ORGANIZATION, json!({"tradingName": "Child Org"})).await;
    let customer = app.customer("Tar Get", &individual, "active").await;
    let party_role = create(app, PARTY_ROLE, json!({"name": "Account manager"})).await;
    let billing_account = create(
        app,
        BILLING_ACCOUNT,
        json!({"name": "Target bills", "relatedParty": [
            {"id": individual, "role": "owner", "@referredType": "Individual"}]}),
    )
    .await;
    let financial_account = create(app, FINANCIAL_ACCOUNT, json!({"name": "Group finances"})).await;
    let cycle = create(app, CYCLE, json!({"name": "Monthly cycle"})).await;
    let format = create(app, FORMAT, json!({"name": "PDF bill"})).await;
    let media = create(app, MEDIA, json!({"name": "E-mail"})).await;
    let category = create(app, CATEGORY, json!({"name": "Broadband"})).await;
    let specification = create(
        app,
        SPECIFICATION,
        json!({"name": "FTTH access", "lifecycleStatus": "Launched"}),
    )
    .await;
    let price = create(
        app,
        PRICE,
        json!({"name": "Fibre monthly", "priceType": "recurring",
            "recurringChargePeriodType": "month", "lifecycleStatus": "Launched",
            "price": {"unit": "EUR", "value": 29.99}}),
    )
    .await;
    let offering = create(
        app,
        OFFERING,
        json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true,
            "productSpecification": {"id": specification},
            "productOfferingPrice": [{"id": price}]}),
    )
    .await;
    let product = create(
        app,
        PRODUCT,
        json!({"name": "Broadband 500", "status": "active",
            "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]}),
    )
    .await;
    let order = create(
        app,
        ORDER,
        json!({"relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
            "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering}}]}),
    )
    .await;
    let interaction = create(app, INTERACTION, interaction_body(&customer)).await;
    let ticket = create(app, TICKET, ticket_body()).await;
    Targets {
        individual: target(INDIVIDUAL, "Individual", individual),
        organization: target(ORGANIZATION, "Organization", organization),
        child_organization: target(ORGANIZATION, "Organization", child_organization),
        customer: target(CUSTOMER, "Customer", customer),
        party_role: target(PARTY_ROLE, "PartyRole", party_role),
        billing_account: target(BILLING_ACCOUNT, "BillingAccount", billing_account),
        financial_account: target(FINANCIAL_ACCOUNT, "FinancialAccount", financial_account),
        cycle: target(CYCLE, "BillingCycleSpecification", cycle),
        format: target(FORMAT, "BillFormat", format),
        media: target(MEDIA, "BillPresentationMedia", media),
        category: target(CATEGORY, "Category", category),
        specification: target(SPECIFICATION, "ProductSpecification", specification),
        price: target(PRICE, "ProductOfferingPrice", price),
        offering: target(OFFERING, "ProductOffering", offering),
        product: target(PRODUCT, "Product", product),
        order: target(ORDER, "ProductOrder", order),
        interaction: target(INTERACTION, "PartyInteraction", interaction),
        ticket: target(TICKET, "TroubleTicket", ticket),
    }
}

fn interaction_body(customer: &str) -> Value {
    json!({
        "description": "Customer called about a slow line",
        "direction": "inbound",
        "reason": "fault report",
        "status": "open",
        "interactionDate": {"startDateTime": "2026-11-23T10:00:00Z"},
        "channel": [{"id": "ch-phone", "href": "urn:channel:phone", "name": "phone"}],
        "relatedParty": [{"id": customer, "@referredType": "Customer", "role": "customer"}]
    })
}

fn ticket_body() -> Value {
    json!({"description": "No internet", "severity": "Minor", "ticketType": "incident"})
}

/// One reference-bearing attribute of one collection.
struct Case {
    /// The collection the resource is posted to.
    path: &'static str,
    /// A valid body holding the reference (with `@referredType`, without `href`) at
    /// `pointer`.
    body: Value,
    /// JSON pointer of the reference object in the body (and in the representation).
    pointer: &'static str,
    /// The attribute path error messages name.
    attribute: &'static str,
    target: Target,
    /// Whether `@referredType` may be left out too.
    untyped: bool,
    /// Whether a merge patch may set the attribute (first segment of `pointer`).
    patchable: bool,
    /// What the message of a reference to a missing id names besides the id.
    missing_mentions: Vec<&'static str>,
}

impl Case {
    fn what(&self) -> String {
        format!("{} {}", self.path, self.attribute)
    }

    /// The body with the reference object replaced by `edit` of it.
    fn with(&self, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
        let mut body = self.body.clone();
        let reference = body
            .pointer_mut(self.pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{}: no reference at {}", self.what(), self.pointer));
        edit(reference);
        body
    }

    /// The reference by id alone: no `href`, and no `@referredType` when `untyped`.
    fn by_id(&self, untyped: bool) -> Value {
        self.with(|reference| {
            reference.remove("href");
            if untyped {
                reference.remove("@referredType");
            }
        })
    }

    /// The reference with an `href` that names another resource.
    fn contradicting(&self) -> Value {
        self.with(|reference| {
            reference.insert("href".into(), json!(ELSEWHERE));
        })
    }

    /// The reference to an id nothing has.
    fn missing(&self) -> Value {
        self.with(|reference| {
            reference.insert("id".into(), json!(MISSING));
        })
    }

    /// The top-level attribute holding the reference.
    fn top(&self) -> &str {
        self.pointer
            .split('/')
            .nth(1)
            .expect("a pointer below the top")
    }

    /// A merge patch setting the top-level attribute as it is in `body`.
    fn patch_of(&self, body: &Value) -> Value {
        json!({ self.top(): body[self.top()].clone() })
    }

    /// Whether `returned` carries the reference completed: the target's id, its type,
    /// and an `href` ending in the target's collection path and id.
    fn completed(&self, returned: &Value, what: &str) -> Result<(), String> {
        let what = format!("{} {what}", self.what());
        let reference = returned
            .pointer(self.pointer)
            .ok_or_else(|| format!("{what}: no reference at {}: {returned}", self.pointer))?;
        ensure(reference["id"] == self.target.id.as_str(), || {
            format!("{what}: another id: {reference}")
        })?;
        ensure(
            reference["@referredType"] == self.target.referred_type,
            || {
                format!(
                    "{what}: @referredType not {}: {reference}",
                    self.target.referred_type
                )
            },
        )?;
        let expected = item(self.target.path, &self.target.id);
        ensure(
            reference["href"]
                .as_str()
                .is_some_and(|href| href.ends_with(&expected)),
            || format!("{what}: href does not end in {expected}: {reference}"),
        )
    }
}

fn related_party(target: &Target, role: &str) -> Value {
    json!({"id": target.id, "role": role, "@referredType": target.referred_type})
}

fn typed(target: &Target) -> Value {
    json!({"id": target.id, "@referredType": target.referred_type})
}

fn account_body(t: &Targets) -> Value {
    json!({"name": "Referencing account",
        "relatedParty": [related_party(&t.individual, "owner")]})
}

fn order_body(t: &Targets) -> Value {
    json!({"relatedParty": [related_party(&t.customer, "customer")],
        "billingAccount": typed(&t.billing_account),
        "productOrderItem": [{"id": "1", "action": "add",
            "productOffering": typed(&t.offering),
            "billingAccount": typed(&t.billing_account)}]})
}

fn product_body(t: &Targets) -> Value {
    json!({"name": "Referencing product", "status": "active",
        "relatedParty": [related_party(&t.customer, "customer")],
        "billingAccount": typed(&t.billing_account),
        "productOffering": typed(&t.offering),
        "productSpecification": typed(&t.specification),
        "productPrice": [{"priceType": "recurring", "recurringChargePeriod": "month",
            "price": {"taxIncludedAmount": {"unit": "EUR", "value": 10}},
            "productOfferingPrice": typed(&t.price),
            "billingAccount": typed(&t.billing_account)}]})
}

fn with_at(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

fn cases(t: &Targets) -> Vec<Case> {
    let case = |path, body, pointer, attribute, target: &Target| Case {
        path,
        body,
        pointer,
        attribute,
        target: target.clone(),
        untyped: true,
        patchable: true,
        missing_mentions: vec![attribute],
    };
    let party = |given: &str| json!({"givenName": given, "familyName": "Refers"});
    let mut cases = vec![
        // TMF632 parties.
        case(
            INDIVIDUAL,
            with_at(
                party("A"),
                "relatedParty",
                json!([related_party(&t.individual, "friend")]),
            ),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.individual,
        ),
        case(
            INDIVIDUAL,
            with_at(
                party("B"),
                "relatedParty",
                json!([related_party(&t.customer, "account")]),
            ),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        case(
            ORGANIZATION,
            json!({"tradingName": "Refers Org",
                "relatedParty": [related_party(&t.party_role, "contact")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.party_role,
        ),
        case(
            ORGANIZATION,
            json!({"tradingName": "Refers Org",
                "organizationParentRelationship": {"relationshipType": "parent",
                    "organization": typed(&t.organization)}}),
            "/organizationParentRelationship/organization",
            "organizationParentRelationship.organization",
            &t.organization,
        ),
        case(
            ORGANIZATION,
            json!({"tradingName": "Refers Org",
                "organizationChildRelationship": [{"relationshipType": "child",
                    "organization": typed(&t.child_organization)}]}),
            "/organizationChildRelationship/0/organization",
            "organizationChildRelationship[0].organization",
            &t.child_organization,
        ),
        // TMF629 customer, TMF669 party role.
        case(
            CUSTOMER,
            json!({"name": "Refers", "engagedParty": typed(&t.individual)}),
            "/engagedParty",
            "engagedParty",
            &t.individual,
        ),
        case(
            CUSTOMER,
            json!({"name": "Refers", "engagedParty": typed(&t.organization)}),
            "/engagedParty",
            "engagedParty",
            &t.organization,
        ),
        case(
            CUSTOMER,
            json!({"name": "Refers", "engagedParty": typed(&t.individual),
                "relatedParty": [related_party(&t.party_role, "accountManager")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.party_role,
        ),
        case(
            PARTY_ROLE,
            json!({"name": "Refers role", "engagedParty": typed(&t.individual)}),
            "/engagedParty",
            "engagedParty",
            &t.individual,
        ),
        case(
            PARTY_ROLE,
            json!({"name": "Refers role",
                "relatedParty": [related_party(&t.customer, "managedCustomer")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        // TMF666 accounts.
        case(
            BILLING_ACCOUNT,
            account_body(t),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.individual,
        ),
        case(
            PARTY_ACCOUNT,
            json!({"name": "Party account",
                "relatedParty": [related_party(&t.organization, "owner")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.organization,
        ),
        case(
            SETTLEMENT_ACCOUNT,
            json!({"name": "Settlement account",
                "relatedParty": [related_party(&t.customer, "owner")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        case(
            FINANCIAL_ACCOUNT,
            json!({"name": "Financial account",
                "relatedParty": [related_party(&t.party_role, "owner")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.party_role,
        ),
        case(
            BILLING_ACCOUNT,
            with_at(
                account_body(t),
                "accountRelationship",
                json!([{"relationshipType": "parent", "account": typed(&t.billing_account),
                    "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}]),
            ),
            "/accountRelationship/0/account",
            "accountRelationship[0].account",
            &t.billing_account,
        ),
        case(
            FINANCIAL_ACCOUNT,
            json!({"name": "Financial child", "accountRelationship": [
                {"relationshipType": "parent", "account": typed(&t.financial_account),
                    "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}]}),
            "/accountRelationship/0/account",
            "accountRelationship[0].account",
            &t.financial_account,
        ),
        case(
            BILLING_ACCOUNT,
            with_at(
                account_body(t),
                "financialAccount",
                typed(&t.financial_account),
            ),
            "/financialAccount",
            "financialAccount",
            &t.financial_account,
        ),
        case(
            BILLING_ACCOUNT,
            with_at(
                account_body(t),
                "billStructure",
                json!({"cycleSpecification": {"id": t.cycle.id, "isRef": true,
                    "name": "Monthly cycle", "@referredType": "BillingCycleSpecification"}}),
            ),
            "/billStructure/cycleSpecification",
            "billStructure.cycleSpecification",
            &t.cycle,
        ),
        case(
            BILLING_ACCOUNT,
            with_at(
                account_body(t),
                "billStructure",
                json!({"format": {"id": t.format.id, "isRef": true, "name": "PDF bill",
                    "@referredType": "BillFormat"}}),
            ),
            "/billStructure/format",
            "billStructure.format",
            &t.format,
        ),
        case(
            BILLING_ACCOUNT,
            with_at(
                account_body(t),
                "billStructure",
                json!({"presentationMedia": [{"id": t.media.id, "isRef": true,
                    "name": "E-mail", "@referredType": "BillPresentationMedia"}]}),
            ),
            "/billStructure/presentationMedia/0",
            "billStructure.presentationMedia[0]",
            &t.media,
        ),
        // TMF683 interaction: the related parties other than the agent.
        case(
            INTERACTION,
            interaction_body(&t.customer.id),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        // TMF620 catalog.
        case(
            CATALOG,
            json!({"name": "Consumer catalog", "category": [typed(&t.category)]}),
            "/category/0",
            "category[0]",
            &t.category,
        ),
        case(
            CATALOG,
            json!({"name": "Consumer catalog",
                "relatedParty": [related_party(&t.organization, "publisher")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.organization,
        ),
        case(
            CATEGORY,
            json!({"name": "Fibre", "subCategory": [typed(&t.category)]}),
            "/subCategory/0",
            "subCategory[0]",
            &t.category,
        ),
        case(
            CATEGORY,
            json!({"name": "Fibre", "productOffering": [typed(&t.offering)]}),
            "/productOffering/0",
            "productOffering[0]",
            &t.offering,
        ),
        case(
            SPECIFICATION,
            json!({"name": "FTTH 2", "relatedParty": [related_party(&t.organization, "owner")]}),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.organization,
        ),
        case(
            SPECIFICATION,
            json!({"name": "FTTH bundle", "bundledProductSpecification": [typed(&t.specification)]}),
            "/bundledProductSpecification/0",
            "bundledProductSpecification[0]",
            &t.specification,
        ),
        case(
            SPECIFICATION,
            json!({"name": "FTTH 2", "productSpecificationRelationship": [
                {"id": t.specification.id, "relationshipType": "dependency",
                    "@referredType": "ProductSpecification"}]}),
            "/productSpecificationRelationship/0",
            "productSpecificationRelationship[0]",
            &t.specification,
        ),
        case(
            OFFERING,
            json!({"name": "Fibre 1G", "productSpecification": typed(&t.specification)}),
            "/productSpecification",
            "productSpecification",
            &t.specification,
        ),
        case(
            OFFERING,
            json!({"name": "Fibre 1G", "productOfferingPrice": [typed(&t.price)]}),
            "/productOfferingPrice/0",
            "productOfferingPrice[0]",
            &t.price,
        ),
        case(
            OFFERING,
            json!({"name": "Fibre 1G", "category": [typed(&t.category)]}),
            "/category/0",
            "category[0]",
            &t.category,
        ),
        case(
            OFFERING,
            json!({"name": "Fibre bundle", "isBundle": true,
                "bundledProductOffering": [typed(&t.offering)]}),
            "/bundledProductOffering/0",
            "bundledProductOffering[0]",
            &t.offering,
        ),
        case(
            PRICE,
            json!({"name": "Bundle price", "priceType": "recurring",
                "price": {"unit": "EUR", "value": 5},
                "popRelationship": [{"id": t.price.id, "relationshipType": "discount",
                    "@referredType": "ProductOfferingPrice"}]}),
            "/popRelationship/0",
            "popRelationship[0]",
            &t.price,
        ),
        case(
            PRICE,
            json!({"name": "Bundle price", "priceType": "recurring", "isBundle": true,
                "price": {"unit": "EUR", "value": 5},
                "bundledPopRelationship": [typed(&t.price)]}),
            "/bundledPopRelationship/0",
            "bundledPopRelationship[0]",
            &t.price,
        ),
        // TMF622 order.
        case(
            ORDER,
            order_body(t),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        case(
            ORDER,
            order_body(t),
            "/billingAccount",
            "billingAccount",
            &t.billing_account,
        ),
        case(
            ORDER,
            order_body(t),
            "/productOrderItem/0/productOffering",
            "productOrderItem[0].productOffering",
            &t.offering,
        ),
        case(
            ORDER,
            order_body(t),
            "/productOrderItem/0/billingAccount",
            "productOrderItem[0].billingAccount",
            &t.billing_account,
        ),
        // TMF637 product.
        case(
            PRODUCT,
            product_body(t),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        case(
            PRODUCT,
            product_body(t),
            "/billingAccount",
            "billingAccount",
            &t.billing_account,
        ),
        case(
            PRODUCT,
            product_body(t),
            "/productOffering",
            "productOffering",
            &t.offering,
        ),
        case(
            PRODUCT,
            product_body(t),
            "/productSpecification",
            "productSpecification",
            &t.specification,
        ),
        case(
            PRODUCT,
            product_body(t),
            "/productPrice/0/productOfferingPrice",
            "productPrice[0].productOfferingPrice",
            &t.price,
        ),
        case(
            PRODUCT,
            product_body(t),
            "/productPrice/0/billingAccount",
            "productPrice[0].billingAccount",
            &t.billing_account,
        ),
        // TMF621 ticket.
        case(
            TICKET,
            with_at(
                ticket_body(),
                "relatedParty",
                json!([related_party(&t.customer, "customer")]),
            ),
            "/relatedParty/0",
            "relatedParty[0]",
            &t.customer,
        ),
        case(
            TICKET,
            with_at(
                ticket_body(),
                "relatedEntity",
                json!([related_party(&t.product, "affectedProduct")]),
            ),
            "/relatedEntity/0",
            "relatedEntity[0]",
            &t.product,
        ),
        case(
            TICKET,
            with_at(
                ticket_body(),
                "relatedEntity",
                json!([related_party(&t.order, "originatingOrder")]),
            ),
            "/relatedEntity/0",
            "relatedEntity[0]",
            &t.order,
        ),
        case(
            TICKET,
            with_at(
                ticket_body(),
                "relatedEntity",
                json!([related_party(&t.interaction, "originatingInteraction")]),
            ),
            "/relatedEntity/0",
            "relatedEntity[0]",
            &t.interaction,
        ),
        case(
            TICKET,
            with_at(
                ticket_body(),
                "troubleTicketRelationship",
                json!([{"id": t.ticket.id, "relationshipType": "relatesTo",
                    "@referredType": "TroubleTicket"}]),
            ),
            "/troubleTicketRelationship/0",
            "troubleTicketRelationship[0]",
            &t.ticket,
        ),
    ];
    for case in &mut cases {
        if case.path == ORDER && case.pointer.starts_with("/productOrderItem") {
            // Items cannot be changed once ordered (only their state moves).
            case.patchable = false;
        }
        if case.path == ORDER && case.pointer == "/productOrderItem/0/productOffering" {
            // The ordering rules read the offering first and name the item by its id.
            case.missing_mentions = vec!["productOrderItem '1'", "productOffering"];
        }
    }
    cases
}

// ---------------------------------------------------------------------------------------
// Checked references
// ---------------------------------------------------------------------------------------

/// Fails with `message` unless `condition` holds.
fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

fn expect_status(response: &TestResponse, status: StatusCode, what: &str) -> Result<(), String> {
    ensure(response.status == status, || {
        format!(
            "{what}: expected {status}, got {}: {}",
            response.status, response.text
        )
    })
}

/// A TMF Error of 422 (with `code` when given) whose message names each of `mentions`.
fn expect_422(
    response: &TestResponse,
    code: Option<&str>,
    mentions: &[&str],
    what: &str,
) -> Result<(), String> {
    expect_status(response, StatusCode::UNPROCESSABLE_ENTITY, what)?;
    let message = response.assert_tmf_error(422);
    if let Some(code) = code {
        ensure(response.body["code"] == code, || {
            format!("{what}: expected code {code}: {}", response.text)
        })?;
    }
    for mention in mentions {
        ensure(message.contains(mention), || {
            format!("{what}: the message does not name '{mention}': {message}")
        })?;
    }
    Ok(())
}

/// Runs `check` on every case and fails listing every case it failed on.
async fn for_every_case<F>(check: F)
where
    F: AsyncFn(&TestApp, &Case) -> Result<(), String>,
{
    let app = TestApp::new().await;
    let targets = targets(&app).await;
    let cases = cases(&targets);
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(failure) = check(&app, case).await {
            failures.push(failure);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Creates with the reference by id alone (with `@referredType`, then without where the
/// attribute allows it): 201, the reference completed in the response and in a retrieve,
/// each counted once; then a merge patch by id alone: 200, completed.
async fn accepted_by_id(app: &TestApp, case: &Case) -> Result<(), String> {
    let what = case.what();
    let before = app.total(case.path).await;
    let mut created = Vec::new();
    let variants: &[bool] = if case.untyped {
        &[false, true]
    } else {
        &[false]
    };
    for &untyped in variants {
        let how = if untyped {
            "by id alone"
        } else {
            "by id and @referredType"
        };
        let response = app.post(case.path, &case.by_id(untyped)).await;
        expect_status(
            &response,
            StatusCode::CREATED,
            &format!("{what} create {how}"),
        )?;
        case.completed(&response.body, &format!("create {how}"))?;
        let fetched = app.get(&item(case.path, &response.id())).await;
        expect_status(&fetched, StatusCode::OK, &format!("{what} retrieve"))?;
        case.completed(&fetched.body, &format!("retrieve after create {how}"))?;
        created.push(response.id());
    }
    let after = app.total(case.path).await;
    ensure(after == before + created.len() as u64, || {
        format!(
            "{what}: {before} then {after} after {} creates",
            created.len()
        )
    })?;
    if case.patchable {
        let uri = item(case.path, &created[0]);
        let patch = case.patch_of(&case.by_id(case.untyped));
        let response = app.patch(&uri, MERGE, &patch).await;
        expect_status(
            &response,
            StatusCode::OK,
            &format!("{what} merge patch by id"),
        )?;
        case.completed(&response.body, "merge patch by id")?;
        case.completed(&app.get(&uri).await.body, "retrieve after merge patch")?;
    }
    Ok(())
}

/// Creates with an `href` naming another resource: 422 naming `<attribute>.href`, nothing
/// stored; a merge patch with it: 422, the resource unchanged.
async fn contradicting_href_refused(app: &TestApp, case: &Case) -> Result<(), String> {
    let what = case.what();
    let href = format!("{}.href", case.attribute);
    let before = app.total(case.path).await;
    let response = app.post(case.path, &case.contradicting()).await;
    expect_422(&response, None, &[&href], &format!("{what} create"))?;
    let after = app.total(case.path).await;
    ensure(after == before, || {
        format!("{what}: a refused create stored something: {before} then {after}")
    })?;
    if case.patchable {
        let created = app.post(case.path, &case.body).await;
        expect_status(&created, StatusCode::CREATED, &format!("{what} create"))?;
        let uri = item(case.path, &created.id());
        let stored = app.get(&uri).await.body;
        let response = app
            .patch(&uri, MERGE, &case.patch_of(&case.contradicting()))
            .await;
        expect_422(&response, None, &[&href], &format!("{what} merge patch"))?;
        ensure(app.get(&uri).await.body == stored, || {
            format!("{what}: a refused merge patch changed the resource")
        })?;
    }
    Ok(())
}

/// Creates with a reference to an id nothing has: 422 REFERENCE_NOT_FOUND naming the
/// attribute and the id, nothing stored.
async fn missing_target_refused(app: &TestApp, case: &Case) -> Result<(), String> {
    let what = case.what();
    let before = app.total(case.path).await;
    let response = app.post(case.path, &case.missing()).await;
    let mut mentions = case.missing_mentions.to_vec();
    mentions.push(MISSING);
    expect_422(
        &response,
        Some("REFERENCE_NOT_FOUND"),
        &mentions,
        &format!("{what} missing target"),
    )?;
    let after = app.total(case.path).await;
    ensure(after == before, || {
        format!("{what}: a refused create stored something: {before} then {after}")
    })
}

#[tokio::test]
async fn a_reference_by_id_alone_is_completed_on_every_reference_attribute() {
    for_every_case(accepted_by_id).await;
}

#[tokio::test]
async fn an_href_naming_another_resource_is_422_naming_the_attribute_and_stores_nothing() {
    for_every_case(contradicting_href_refused).await;
}

#[tokio::test]
async fn a_reference_to_a_missing_id_is_422_reference_not_found_and_stores_nothing() {
    for_every_case(missing_target_refused).await;
}

// ---------------------------------------------------------------------------------------
// References that are not checked
// ---------------------------------------------------------------------------------------

/// Attributes found NOT to be checked references: a reference to an id nothing has, with
/// an `href` elsewhere, is accepted and kept exactly as given (an external reference).
///
/// - `customer.account[]`, `partyRole.account[]`: accounts are not looked up (even when
///   they name a stored billing account).
/// - `partyInteraction.interactionItem[].item`: an entity of a type not known in advance.
/// - `partyInteraction.interactionRelationship[]`: other interactions are not looked up.
/// - `billingAccount.defaultPaymentMethod`: payment methods are not stored here (no
///   TMF670), so there is nothing to check it against.
///
/// Found failing when written: the router derives an `href` for every object with an `id`
/// and a served `@referredType` (`link_references`, tmf-apis/src/router.rs), checked or
/// not, so the given external `href` of `account[]` (`BillingAccount`, `PartyAccount`) and
/// of `interactionRelationship[]` (`PartyInteraction`) comes back replaced by a local link
/// to a resource that does not exist.
///
/// Not in the tables: `category.parentId` and `product.productOrderItem[].productOrderId`
/// are plain ids (checked, but with no `href` or `@referredType` to complete), and
/// `productOrderItem[].product` is checked by the ordering rules (see ordering.rs).
#[tokio::test]
async fn unchecked_references_are_kept_as_given() {
    let app = TestApp::new().await;
    let party = app.individual("Un", "Checked").await;
    let customer = app.customer("Un Checked", &party, "active").await;
    let external = |referred: &str| json!({"id": MISSING, "href": ELSEWHERE, "name": "kept", "@referredType": referred});
    let mut interaction_item = interaction_body(&customer);
    interaction_item["interactionItem"] = json!([{"id": "1", "reason": "asked about", "item": {"id": MISSING, "href": ELSEWHERE,
            "role": "subject", "@referredType": "CustomerBill"}}]);
    let mut interaction_relationship = interaction_body(&customer);
    interaction_relationship["interactionRelationship"] = json!([{"id": MISSING,
        "href": ELSEWHERE, "relationshipType": "follows", "@referredType": "PartyInteraction"}]);
    let mut payment = json!({"name": "Pays by card",
        "relatedParty": [{"id": party, "role": "owner", "@referredType": "Individual"}]});
    payment["defaultPaymentMethod"] = external("PaymentMethod");
    let cases = [
        (
            CUSTOMER,
            json!({"name": "Acc", "engagedParty": {"id": party},
                "account": [external("BillingAccount")]}),
            "/account/0",
        ),
        (
            PARTY_ROLE,
            json!({"name": "Acc role", "account": [external("PartyAccount")]}),
            "/account/0",
        ),
        (INTERACTION, interaction_item, "/interactionItem/0/item"),
        (
            INTERACTION,
            interaction_relationship,
            "/interactionRelationship/0",
        ),
        (BILLING_ACCOUNT, payment, "/defaultPaymentMethod"),
    ];
    let mut failures = Vec::new();
    for (path, body, pointer) in cases {
        let what = format!("{path} {pointer}");
        let sent = body.pointer(pointer).expect("the reference").clone();
        let created = app.post(path, &body).await;
        created.assert_status(StatusCode::CREATED, &what);
        let fetched = app.get(&item(path, &created.id())).await;
        fetched.assert_status(StatusCode::OK, &what);
        for (how, returned) in [("create", &created.body), ("retrieve", &fetched.body)] {
            let kept = returned.pointer(pointer);
            if kept != Some(&sent) {
                failures.push(format!(
                    "{what} {how}: sent {sent}, returned {}",
                    kept.map_or_else(|| "nothing".to_owned(), Value::to_string)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "not kept as given:\n{}",
        failures.join("\n")
    );
}
