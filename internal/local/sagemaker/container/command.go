package container

import "strings"

// Command is the local program an image runs as. Args, Env and Dir may hold the {root},
// {model_dir} and {port} tokens, replaced when the program starts:
//
//   - {root}: the job directory (training, laid out as /opt/ml) or the variant directory
//     (serving);
//   - {model_dir}: <job dir>/model for training, <variant dir>/model (the extracted
//     model.tar.gz) for serving;
//   - {port}: the loopback port a serving program must listen on (empty for training).
type Command struct {
	// Path is the executable.
	Path string
	// Args are its arguments (without the program name).
	Args []string
	// Env are extra KEY=VALUE entries, added to the process's inherited environment.
	Env []string
	// Dir is the working directory; empty means the job or variant directory.
	Dir string
	// AppendRole appends "train" (training) or "serve" (serving) to Args, as SageMaker runs
	// `docker run IMAGE train|serve`: the form a policy's local.images command takes.
	AppendRole bool
}

// Roles SageMaker appends to a container's command line (`docker run IMAGE train|serve`).
const (
	RoleTrain = "train"
	RoleServe = "serve"
)

// withRole returns args with role appended when the command asks for it ([Command.AppendRole]).
func withRole(spec Command, args []string, role string) []string {
	if spec.AppendRole {
		return append(args, role)
	}
	return args
}

// expand replaces the {root}, {model_dir} and {port} tokens.
func expand(v string, root, modelDir, port string) string {
	return strings.NewReplacer("{root}", root, "{model_dir}", modelDir, "{port}", port).Replace(v)
}

// expandAll expands every element of vs.
func expandAll(vs []string, root, modelDir, port string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = expand(v, root, modelDir, port)
	}
	return out
}
