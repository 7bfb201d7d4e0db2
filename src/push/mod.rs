//! The exactly-once push engine and its journal. (In progress.)
