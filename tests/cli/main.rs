//! End-to-end tests: run the real binary on real files, read back what it wrote.
//!
//! One integration binary; one module per command or concern.

mod audit;
mod city2;
mod common;
mod consolidate;
mod desktop;
mod diff;
mod exports;
mod files;
mod form_pages;
mod formats;
mod guards;
mod handout_pages;
mod help;
mod hostile;
mod hostile_ods;
mod ingest;
mod mutation;
mod numbers;
mod package;
mod problems;
mod profiles;
mod properties;
mod reader;
mod replace;
mod returns;
mod rollover;
mod roundtrip;
mod safety;
mod serve;
mod settings;
mod texts;
mod unseen;
mod working_book;
