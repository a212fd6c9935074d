package cli

import "shoal/internal/cli/clustertool"

func (s *session) localCluster(args []string) int { return 1 }

// clusterTool runs --cluster.
func (s *session) clusterTool() int {
	s.out.Flush()
	return clustertool.Run(s.cfg.clusterCmd, s.stdin, s.out, s.stderr, isTerminal(s.stderr))
}
