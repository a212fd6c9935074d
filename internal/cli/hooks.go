package cli

func (s *session) localCluster(args []string) int { return 1 }
func (s *session) clusterTool() int               { return 1 }
