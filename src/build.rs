//! `build`: ingest → classify → write the workbook. (Lands with ingest and sheet.)
