package cli

import (
	"shoal/internal/cli/clustertool"
	"shoal/internal/cli/localcluster"
)

// localCluster runs --local-cluster.
func (s *session) localCluster(args []string) int {
	s.out.Flush()
	defer s.out.Flush()
	return localcluster.Main(args, s.out, s.stderr)
}

// clusterTool runs --cluster.
func (s *session) clusterTool() int {
	s.out.Flush()
	return clustertool.Run(s.cfg.clusterCmd, s.stdin, s.out, s.stderr, isTerminal(s.stderr))
}
