// Package serving is kiln local's SageMaker data plane: the fleets of serving programs
// behind an endpoint, the router that sends each InvokeEndpoint request to a variant by the
// deployment's traffic split and the variants' weights, the traffic plan of a blue/green
// deployment, and the data capture writer (Model Monitor's JSON Lines).
//
// It keeps no records: the sagemaker package owns endpoints, configs and their history, and
// drives the data plane through [Endpoints], [Endpoint], [Launcher], [Router] and [Capture].
// An [Endpoint] has its own lock, so the router's hot path never waits on the records.
package serving
