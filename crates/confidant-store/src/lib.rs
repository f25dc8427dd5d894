//! Storage engines for Confidant.
