//! Partner Center REST client: typed endpoints, errors and retries. (In progress.)
