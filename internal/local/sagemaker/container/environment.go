package container

import (
	"sort"
	"strings"
)

// A request's Environment (CreateModel's containers, a model package's inference containers,
// CreateTrainingJob) becomes the environment of a program kiln starts. On SageMaker that
// program runs in a container of its own; kiln's process runtime runs it on the user's
// machine, beside kiln and everything else the user owns. So, for a runtime that does not
// isolate the environment, a request may not set:
//
//   - anything that changes which code a program loads or runs: the dynamic loader's
//     variables, the search path for programs, the startup files of shells and the module
//     paths and start-up options of the common interpreters ([loaderVariables],
//     [loaderPrefixes]);
//   - kiln's own contract variables (SM_*, SAGEMAKER_*, PORT, TRAINING_JOB_*), which tell a
//     program where its data, model and output live and on which port to listen
//     ([contractVariables], [contractPrefixes]).
//
// The list is a deny list of the mechanisms that load code; it cannot be complete for every
// interpreter a user's program might embed, which is why a container runtime is the real
// isolation. Whatever the check, kiln's contract variables are applied last when a process
// starts ([composeEnv]), so they always win.

// envReason is why one variable (or family) is refused.
type envReason struct {
	name, reason string
}

// loaderPrefixes are families of variables that change how a program is loaded.
var loaderPrefixes = []envReason{
	{"LD_", "it steers the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load libraries into the program)"},
	{"DYLD_", "it steers macOS's dynamic loader (DYLD_INSERT_LIBRARIES loads libraries into the program)"},
	{"BASH_FUNC_", "bash imports it as a function definition"},
}

// loaderVariables are single variables that change which code a program loads or runs.
var loaderVariables = map[string]string{
	"PATH":              "it decides which executable a command name runs",
	"IFS":               "it changes how a shell splits words",
	"BASH_ENV":          "bash runs the file it names before a script",
	"ENV":               "sh runs the file it names at startup",
	"SHELLOPTS":         "it changes how bash runs a script",
	"GCONV_PATH":        "glibc loads character-set converters (shared libraries) from it",
	"GLIBC_TUNABLES":    "it changes the C library's behaviour at load time",
	"LOCPATH":           "the C library reads locale data from it",
	"NLSPATH":           "the C library reads message catalogues from it",
	"HOSTALIASES":       "the resolver reads host aliases from the file it names",
	"PYTHONPATH":        "Python imports modules from it before the program's own",
	"PYTHONHOME":        "Python loads its standard library from it",
	"PYTHONSTARTUP":     "Python runs the file it names",
	"PYTHONUSERBASE":    "Python imports user site-packages from it",
	"PYTHONPLATLIBDIR":  "Python loads its platform libraries from it",
	"PYTHONINSPECT":     "it leaves Python in an interactive interpreter",
	"NODE_OPTIONS":      "Node.js takes --require and --import from it, loading arbitrary code",
	"NODE_PATH":         "Node.js resolves modules from it",
	"PERL5LIB":          "Perl loads modules from it",
	"PERLLIB":           "Perl loads modules from it",
	"PERL5OPT":          "Perl takes -M (load a module) from it",
	"RUBYLIB":           "Ruby loads libraries from it",
	"RUBYOPT":           "Ruby takes -r (require a library) from it",
	"JAVA_TOOL_OPTIONS": "the JVM takes -javaagent (load code) from it",
	"_JAVA_OPTIONS":     "the JVM takes -javaagent (load code) from it",
	"JDK_JAVA_OPTIONS":  "the java launcher takes -javaagent (load code) from it",
	"CLASSPATH":         "the JVM loads classes from it",
	"R_PROFILE":         "R runs the file it names at startup",
	"R_PROFILE_USER":    "R runs the file it names at startup",
	"R_LIBS":            "R loads packages from it",
	"R_LIBS_USER":       "R loads packages from it",
}

// contractPrefixes are the families of kiln's container contract variables.
var contractPrefixes = []envReason{
	{"SM_", "kiln sets it: it tells the program where its data, model and output live"},
	{"SAGEMAKER_", "kiln sets it: it is part of SageMaker's container contract"},
	{"TRAINING_JOB_", "kiln sets it: it names the training job"},
}

// contractVariables are single contract variables.
var contractVariables = map[string]string{
	"PORT": "kiln sets it: it is the port the serving program must listen on",
}

// RefusedVariable returns why a runtime whose programs share the host's environment refuses
// the variable name, or "" when it accepts it. The comparison ignores case.
func RefusedVariable(name string) string {
	up := strings.ToUpper(name)
	if r, ok := loaderVariables[up]; ok {
		return r
	}
	if r, ok := contractVariables[up]; ok {
		return r
	}
	for _, p := range loaderPrefixes {
		if strings.HasPrefix(up, p.name) {
			return p.reason
		}
	}
	for _, p := range contractPrefixes {
		if strings.HasPrefix(up, p.name) {
			return p.reason
		}
	}
	return ""
}

// ValidEnvName reports whether name matches SageMaker's pattern [a-zA-Z_][a-zA-Z0-9_]*.
func ValidEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// ComposeEnv returns the environment of a process the command runtime starts: the
// inherited one, then the request's variables (in name order, those [RefusedVariable] names
// and malformed names dropped),
// then the image's configured Command.Env, then kiln's contract variables, last so that they
// win (os/exec keeps the last value of a repeated name). dropped lists what was left out (a
// request stored before the check existed).
func ComposeEnv(inherited []string, request map[string]string, command, contract []string) (env, dropped []string) {
	env = append([]string(nil), inherited...)
	names := make([]string, 0, len(request))
	for k := range request {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !ValidEnvName(k) || RefusedVariable(k) != "" {
			dropped = append(dropped, k)
			continue
		}
		env = append(env, k+"="+request[k])
	}
	env = append(env, command...)
	env = append(env, contract...)
	return env, dropped
}
