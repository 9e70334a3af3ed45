// Package data ships the abalone sample's data set (abalone.csv, Nash et al. 1994, UCI
// Machine Learning Repository, CC BY 4.0; see README.md) inside kiln, so kiln demo runs
// from any folder.
package data

import _ "embed"

// CSV is abalone.csv: a header row (Sex,Length,…,Rings) and 4,177 rows.
//
//go:embed abalone.csv
var CSV []byte
