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
    internal sealed record NodeAttributes(NodeKindSpec Kind, int KindCount, int Cost, double Identity, bool IsOutput, EquatableArray<AfterSpec> After)
    {
        public static NodeAttributes Read(IMethodSymbol method)
        {
            NodeKindSpec? kind = null;
            int kindCount = 0;
            int cost = 1;
            double identity = 0;
            bool isOutput = false;
            var after = new List<AfterSpec>();
            int afterAttribute = 0;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (PipelineDiscovery.KindOf(attribute) is { } found)
                {
                    kind ??= found;
                    kindCount++;
                    if (found == NodeKindSpec.Task && Named(attribute, "Cost") is int value)
                    {
                        cost = Math.Max(1, value);
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
            }

            return new NodeAttributes(kind ?? NodeKindSpec.Task, kindCount, cost, identity, isOutput, after.ToEquatableArray());
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
