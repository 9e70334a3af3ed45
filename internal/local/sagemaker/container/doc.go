// Package container runs the programs that stand in for SageMaker's container images on
// kiln local: a training program under SageMaker's /opt/ml layout, and a serving program
// answering GET /ping and POST /invocations on a loopback port.
//
// A [Runtime] runs an image. [Commands] runs a local program mapped to the image (a
// policy's local.images, or the sample's programs built from source) as a child process;
// [Docker] runs the image itself in a container through the docker CLI. [Images] picks the
// runtime of each image: its mapped command first, else Docker when a daemon is reachable,
// else an [UnrunnableError] that names both ways.
//
// The package also owns what both runtimes share: the job directory laid out as /opt/ml
// ([Layout]), the variables of SageMaker's container contract and of its training toolkit
// ([TrainingContract]), the rules for a request's environment ([RefusedVariable],
// [ComposeEnv]), the model archive ([Pack], [Unpack]) and the records that let a restarted
// kiln stop the processes and containers an earlier one left behind ([Reap], [Docker.Reap]).
package container
