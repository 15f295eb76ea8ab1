package providers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/libdns/libdns"
	"github.com/libdns/route53"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// ErrAWSConfig is returned (wrapped) when the AWS configuration the
// route53 provider would load does not load.
var ErrAWSConfig = errors.New("the AWS configuration does not load")

// safeRoute53 loads the AWS configuration itself before the provider's
// first call, the way the provider will, and does not call the provider
// when that fails: libdns/route53 calls log.Fatalf when loading fails (a
// missing profile, a malformed environment variable), which would exit
// lifeboat in the middle of a failover. With defaults_mode "auto" the load
// asks the instance metadata service with the call's context, so a call
// cut short at its deadline could fail there too: that mode is refused.
// What is left is a configuration file changed between the two loads.
type safeRoute53 struct {
	p *route53.Provider

	mu    sync.Mutex
	ready bool
}

func guardRoute53(d DNS) DNS {
	return &safeRoute53{p: d.(*route53.Provider)}
}

// preflight loads the configuration once successfully; until then every
// call tries again (the file may be fixed while lifeboat runs).
func (s *safeRoute53) preflight(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready {
		return nil
	}
	// The same options as the provider's init, but the retryer, which
	// cannot fail.
	var opts []func(*awsconfig.LoadOptions) error
	if s.p.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(s.p.Profile))
	}
	if s.p.Region != "" {
		opts = append(opts, awsconfig.WithRegion(s.p.Region))
	}
	if s.p.AccessKeyId != "" && s.p.SecretAccessKey != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(s.p.AccessKeyId, s.p.SecretAccessKey, s.p.SessionToken)))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// The SDK quotes the profile name, a setting like any other.
		err = redact.Strict(s.p.Profile, s.p.Region, s.p.AccessKeyId, s.p.SecretAccessKey, s.p.SessionToken).Error(err)
		return fmt.Errorf("route53: %w: %w", ErrAWSConfig, err)
	}
	if cfg.DefaultsMode == aws.DefaultsModeAuto {
		return fmt.Errorf("route53: %w: defaults_mode \"auto\" is not supported (the route53 library exits the process when its metadata lookup is cut short); use \"standard\" or leave it unset", ErrAWSConfig)
	}
	s.ready = true
	return nil
}

func (s *safeRoute53) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	if err := s.preflight(ctx); err != nil {
		return nil, err
	}
	return s.p.GetRecords(ctx, zone)
}

func (s *safeRoute53) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := s.preflight(ctx); err != nil {
		return nil, err
	}
	return s.p.SetRecords(ctx, zone, recs)
}

func (s *safeRoute53) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := s.preflight(ctx); err != nil {
		return nil, err
	}
	return s.p.AppendRecords(ctx, zone, recs)
}

func (s *safeRoute53) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := s.preflight(ctx); err != nil {
		return nil, err
	}
	return s.p.DeleteRecords(ctx, zone, recs)
}
