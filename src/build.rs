//! `build`: ingest → classify → write the workbook. (In progress.)
