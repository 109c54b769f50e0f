package target

import "fmt"

// Action is what reconcile decides for one resource.
type Action string

const (
	Create   Action = "create"   // wanted, absent
	Recreate Action = "recreate" // wanted, present with another configuration
	Start    Action = "start"    // wanted, present as wanted, stopped
	Keep     Action = "keep"     // wanted, present and running as wanted
	Remove   Action = "remove"   // the site's, no longer wanted
	Conflict Action = "conflict" // wanted name held by something not the site's
)

// Desired is one resource the plan wants, with the hash of its configuration.
type Desired struct {
	Name string
	Hash string
}

// Observed is one resource as it runs.
type Observed struct {
	Name string
	Hash string
	// Owned: it carries the site's label. Only owned resources are ever
	// changed or removed.
	Owned   bool
	Running bool
}

// Op is one step of a reconcile.
type Op struct {
	Action Action
	Name   string
	// Why says, for people, what made the decision.
	Why string
}

// Diff compares the plan with what runs and returns the operations that
// make them agree: removals of what the plan no longer has first (in
// observed order), then one op per desired resource, in the plan's order.
// It is pure: no I/O, same input, same output.
func Diff(desired []Desired, observed []Observed) []Op {
	byName := make(map[string]Observed, len(observed))
	for _, o := range observed {
		byName[o.Name] = o
	}
	want := make(map[string]bool, len(desired))
	for _, d := range desired {
		want[d.Name] = true
	}
	var ops []Op
	for _, o := range observed {
		if o.Owned && !want[o.Name] {
			ops = append(ops, Op{Remove, o.Name, "not in the plan any more"})
		}
	}
	for _, d := range desired {
		o, ok := byName[d.Name]
		switch {
		case !ok:
			ops = append(ops, Op{Create, d.Name, "missing"})
		case !o.Owned:
			ops = append(ops, Op{Conflict, d.Name, "the name is taken by a resource that is not the site's"})
		case o.Hash != d.Hash:
			ops = append(ops, Op{Recreate, d.Name, fmt.Sprintf("configuration changed (%s → %s)", short(o.Hash), short(d.Hash))})
		case !o.Running:
			ops = append(ops, Op{Start, d.Name, "stopped"})
		default:
			ops = append(ops, Op{Keep, d.Name, "up to date"})
		}
	}
	return ops
}

func short(h string) string {
	if h == "" {
		return "none"
	}
	if len(h) > 8 {
		return h[:8]
	}
	return h
}
