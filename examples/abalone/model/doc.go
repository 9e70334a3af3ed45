// Package model is the abalone sample's learning code, shared by its training and serving
// programs: parsing abalone rows into feature vectors ([ParseTrainingCSV], [ParseRequestCSV]),
// gradient-boosted regression trees written from scratch ([Train], [Model]), the model file
// format ([Model.WriteJSON], [ReadJSON]) and regression metrics ([Evaluate]).
//
// Nothing here uses cgo or randomness that is not seeded: training the same rows with the
// same [Params] gives the same model, byte for byte.
package model
