-- At most one open case per customer: a new message from a customer with an
-- open case joins it. When two messages from one customer are ingested at
-- once, the second insert fails on this index and the gateway retries it as
-- an update of the case the first one opened.
CREATE UNIQUE INDEX cases_one_open_per_customer ON cases (customer_id)
    WHERE status IN ('open', 'in_progress') AND customer_id IS NOT NULL;
