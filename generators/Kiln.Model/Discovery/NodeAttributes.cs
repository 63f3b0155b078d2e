using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>Everything a node method's own attributes say, read in one pass over them.</summary>
    /// <param name="Kind">The first kind attribute's kind (<c>Task</c> when there is none).</param>
    /// <param name="KindCount">How many kind attributes there are (more than one is KILN012).</param>
    /// <param name="Cost"><c>[Task(Cost = ...)]</c>, at least 1.</param>
    /// <param name="Identity"><c>[Reduce(Identity = ...)]</c>.</param>
    /// <param name="IsOutput">Whether the method is marked <c>[Output]</c>.</param>
    /// <param name="After">The names of every <c>[After]</c>, in order.</param>
    /// <param name="Retries"><c>Retries</c> of <c>[Task]</c> or <c>[Map]</c>, at least 0.</param>
    /// <param name="TimeoutMs"><c>TimeoutMs</c> of <c>[Task]</c> or <c>[Map]</c>, at least 0.</param>
    /// <param name="MaxConcurrency"><c>[Map(MaxConcurrency = ...)]</c>, at least 1.</param>
    /// <param name="Kinds">Every kind attribute's kind, in order.</param>
    /// <param name="Condition">The first <c>[When]</c>: its name (null when not a constant) and value, or null without one.</param>
    /// <param name="Distributed"><c>Distributed</c> of <c>[Task]</c> or <c>[Map]</c> (SPEC section 12).</param>
    internal sealed record NodeAttributes(
        NodeKindSpec Kind,
        int KindCount,
        int Cost,
        double Identity,
        bool IsOutput,
        EquatableArray<AfterSpec> After,
        int Retries,
        int TimeoutMs,
        int MaxConcurrency,
        EquatableArray<NodeKindSpec> Kinds,
        (string? Name, bool Value)? Condition = null,
        bool Distributed = false)
    {
        public static NodeAttributes Read(IMethodSymbol method)
        {
            NodeKindSpec? kind = null;
            int kindCount = 0;
            int cost = 1;
            int retries = 0;
            int timeoutMs = 0;
            int maxConcurrency = 16;
            bool distributed = false;
            var kinds = new List<NodeKindSpec>();
            double identity = 0;
            bool isOutput = false;
            var after = new List<AfterSpec>();
            int afterAttribute = 0;
            (string? Name, bool Value)? condition = null;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (PipelineDiscovery.KindOf(attribute) is { } found)
                {
                    kind ??= found;
                    kindCount++;
                    kinds.Add(found);
                    if (found is NodeKindSpec.Task or NodeKindSpec.Map)
                    {
                        // Out-of-range values fall back to the nearest valid one; the attribute itself cannot refuse them.
                        cost = Named(attribute, "Cost") is int value ? Math.Max(1, value) : cost;
                        retries = Named(attribute, "Retries") is int r ? Math.Max(0, r) : retries;
                        timeoutMs = Named(attribute, "TimeoutMs") is int t ? Math.Max(0, t) : timeoutMs;
                        distributed = Named(attribute, "Distributed") is bool d ? d : distributed;
                        if (found == NodeKindSpec.Map && Named(attribute, "MaxConcurrency") is int m)
                        {
                            maxConcurrency = Math.Max(1, m);
                        }
                    }
                    else if (found == NodeKindSpec.Reduce && Named(attribute, "Identity") is double given)
                    {
                        identity = given;
                    }
                }
                else if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.OutputAttribute))
                {
                    isOutput = true;
                }
                else if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.AfterAttribute))
                {
                    if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                        && !attribute.ConstructorArguments[0].IsNull)
                    {
                        ImmutableArray<TypedConstant> names = attribute.ConstructorArguments[0].Values;
                        for (int i = 0; i < names.Length; i++)
                        {
                            after.Add(new AfterSpec(names[i].Value as string, afterAttribute, i));
                        }
                    }

                    afterAttribute++;
                }
                else if (condition is null && PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.WhenAttribute))
                {
                    // [When] allows one use per method; a broken argument reads as no name (KILN006, or the compiler's error).
                    ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
                    string? name = arguments.Length > 0 && arguments[0].Kind == TypedConstantKind.Primitive ? arguments[0].Value as string : null;
                    bool value = arguments.Length < 2 || arguments[1].Value is not bool given || given;
                    condition = (name, value);
                }
            }

            return new NodeAttributes(
                kind ?? NodeKindSpec.Task, kindCount, cost, identity, isOutput, after.ToEquatableArray(), retries, timeoutMs, maxConcurrency,
                kinds.ToEquatableArray(), condition, distributed);
        }

        // The last value given wins, as the compiler would take it.
        private static object? Named(AttributeData attribute, string name)
        {
            object? value = null;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    value = argument.Value.Value;
                }
            }

            return value;
        }
    }
}
