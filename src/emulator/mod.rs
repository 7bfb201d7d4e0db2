//! A local Partner Center for tests, demos and rehearsals. (In progress.)
