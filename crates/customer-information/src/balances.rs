//! The balances of billing accounts (TMF666 `accountBalance`), kept here for the domains
//! whose money moves them: billing sets a billing account's `receivableBalance` from its
//! unsettled bills inside the change that moves the money ([`crm_module::AccountBalances`]).
//! A balance is one entry per type and currency; setting it replaces the entry's amount and
//! starts its `validFor` at the clock's now, through the account's own document service, so
//! the account's history keeps every earlier amount (who moved it, when, why) and its events
//! tell listeners.

use std::sync::Arc;

use async_trait::async_trait;
use crm_module::AccountBalances;
use crm_store::{Clock, DatabaseTransaction, DocumentService};
use sid_model::{AccountBalance, BillingAccount, Money, TimePeriod};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::accounts::AccountKind;

/// The keeper of billing accounts' balances.
pub(crate) struct Balances {
    pub(crate) accounts: DocumentService<AccountKind<BillingAccount>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Balances {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Balances").finish_non_exhaustive()
    }
}

#[async_trait]
impl AccountBalances for Balances {
    async fn set_balance(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        account: &str,
        balance_type: &str,
        amount: Money,
    ) -> TmfResult<()> {
        let Some(stored) = self.accounts.load_in(txn, account).await? else {
            return Err(TmfError::reference_not_found(format!(
                "'billingAccount': BillingAccount '{account}' does not exist"
            )));
        };
        let mut document: BillingAccount = from_value(stored).map_err(|e| {
            TmfError::internal(format!(
                "stored BillingAccount {account} unreadable: {}",
                e.message
            ))
        })?;
        let balances = document.account_balance.get_or_insert_with(Vec::new);
        let now = self.clock.now();
        match balances
            .iter_mut()
            .find(|b| b.balance_type == balance_type && b.amount.unit == amount.unit)
        {
            Some(balance) if balance.amount.value == amount.value => return Ok(()),
            Some(balance) => {
                balance.amount = amount;
                balance.valid_for = TimePeriod::starting(now);
            }
            None => balances.push(AccountBalance {
                balance_type: balance_type.to_owned(),
                amount,
                valid_for: TimePeriod::starting(now),
                meta: Default::default(),
                extensions: Default::default(),
            }),
        }
        let document = serde_json::to_value(&document).map_err(TmfError::internal)?;
        self.accounts
            .replace_in(txn, ctx, account, document)
            .await?;
        Ok(())
    }
}
