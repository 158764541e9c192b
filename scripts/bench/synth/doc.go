// Package synth makes the benchmarks' synthetic data: people with valid,
// distinct NIKs and phone numbers, call-center ticket requests, complaint
// mails with photos, and two years of ticket history. It is the one
// generator behind scripts/bench-*.sh: they call it through the command in
// scripts/bench/gen, and the mail benchmark's helper imports it. It is not
// part of Aduan.
//
// Everything is a pure function of its inputs (person k, request n of run r,
// ticket id), so a run can be repeated and several generators can work on
// disjoint ranges at once.
package synth
